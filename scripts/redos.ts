// bun scripts/redos.ts [--verbose] [FILES...]
//
// The ReDoS check of `npm run check` (issue 11): every regular-expression literal in src/
// goes through recheck (its pure-JS backend: nothing is downloaded or spawned), which
// proves a pattern linear or shows an attack string that makes it backtrack
// super-linearly. A new vulnerable pattern fails the check; scripts/redos-known.json
// lists those allowed, each with why no message can reach it (now only the operator's
// own DKIM key file; the check says when an entry can go). recheck takes a multiline
// `^` for "anywhere": write it as src/detect/lib/text.ts's BOL lookbehind. A pattern recheck
// cannot decide in 10 s (long alternations of words) is a warning. Verdicts are cached
// in node_modules/.cache/redos.json. Patterns built at run time with `new RegExp(...)`
// are checked too when their source is a string literal, a template or a String.raw
// template whose `${NAME}` and `${NAME.source}` parts name constants (a string, a
// template, a regex literal or another such `new RegExp`) of the same file or of a file
// it imports; the others (a function's argument, an array joined) are listed as
// unchecked: keep them small.
import {
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";

// the native checker recheck ships for this platform (an npm package, nothing is
// downloaded at run time) is ten times faster; elsewhere the pure-JS one
process.env.RECHECK_BACKEND ??= existsSync(
	join(
		import.meta.dir,
		"..",
		"node_modules",
		`recheck-${process.platform === "darwin" ? "macos" : process.platform}-${process.arch}`,
	),
)
	? "native"
	: "pure";
const { checkSync } = await import("recheck");

const ROOT = join(import.meta.dir, "..");

export interface Literal {
	readonly file: string;
	readonly line: number;
	readonly source: string;
	readonly flags: string;
}

const KEYWORDS = new Set([
	"return",
	"typeof",
	"case",
	"do",
	"else",
	"in",
	"of",
	"new",
	"delete",
	"void",
	"throw",
	"yield",
	"await",
]);

/**
 * The regular-expression literals of a TypeScript source: a small scanner that skips
 * comments, strings and template text, and takes `/` for a regex where an expression
 * may start (after an operator, a bracket or a keyword), for a division elsewhere.
 */
export function regexLiterals(file: string, text: string): Literal[] {
	const out: Literal[] = [];
	let i = text.startsWith("#!") ? text.indexOf("\n") : 0;
	let line = 1;
	let prev = ""; // the last significant token: a punctuator or a word
	const templates: number[] = []; // brace depth at each open `${`
	let braces = 0;
	const isWord = (c: string) => /[\w$]/.test(c);
	while (i < text.length) {
		const c = text[i] ?? "";
		const next = text[i + 1] ?? "";
		if (c === "\n") line++;
		if (/\s/.test(c)) {
			i++;
			continue;
		}
		if (c === "/" && next === "/") {
			while (i < text.length && text[i] !== "\n") i++;
			continue;
		}
		if (c === "/" && next === "*") {
			const end = text.indexOf("*/", i + 2);
			const stop = end < 0 ? text.length : end + 2;
			for (let k = i; k < stop; k++) if (text[k] === "\n") line++;
			i = stop;
			continue;
		}
		if (c === '"' || c === "'") {
			i++;
			while (i < text.length && text[i] !== c) i += text[i] === "\\" ? 2 : 1;
			i++;
			prev = "str";
			continue;
		}
		if (c === "`" || (c === "}" && templates.at(-1) === braces)) {
			if (c === "}") templates.pop();
			i = template(i + 1);
			continue;
		}
		if (c === "{") braces++;
		if (c === "}") braces--;
		if (c === "/") {
			const regexStart =
				prev === "" ||
				KEYWORDS.has(prev) ||
				/^[(,=:[!&|?{};+\-*%<>~^]$/.test(prev);
			if (regexStart) {
				let read: ReturnType<typeof regexAt>;
				try {
					read = regexAt(text, i);
				} catch {
					throw new Error(`${file}:${line}: unterminated regex`);
				}
				out.push({ file, line, source: read.value, flags: read.flags });
				i = read.end;
				prev = "regex";
				continue;
			}
		}
		if (isWord(c)) {
			let word = "";
			while (i < text.length && isWord(text[i] ?? "")) word += text[i++];
			prev = word;
			continue;
		}
		prev = c;
		i++;
	}
	return out;

	/** Skips template text from `at` to the closing backtick or the next `${`. */
	function template(at: number): number {
		let k = at;
		while (k < text.length) {
			const d = text[k];
			if (d === "\\") k += 2;
			else if (d === "`") {
				prev = "str";
				return k + 1;
			} else if (d === "$" && text[k + 1] === "{") {
				templates.push(braces);
				prev = "{";
				return k + 2;
			} else {
				if (d === "\n") line++;
				k++;
			}
		}
		return k;
	}
}

export interface Dynamic {
	readonly file: string;
	readonly line: number;
	/** The resolved pattern, or undefined when it cannot be known before run time. */
	readonly source: string | undefined;
	readonly flags: string;
	/** What the argument starts with, for the unchecked list. */
	readonly text: string;
}

/** A string-valued expression read at `at`: its value and where it ends. */
interface Read {
	readonly value: string | undefined;
	readonly end: number;
}

const COOKED: Record<string, string> = {
	n: "\n",
	t: "\t",
	r: "\r",
	b: "\b",
	f: "\f",
	v: "\v",
	"0": "\0",
};

/** A string or template body from `at` (after its opening quote) up to `quote`. */
function body(
	text: string,
	at: number,
	quote: string,
	raw: boolean,
	resolve: (expression: string) => string | undefined,
): Read {
	let out = "";
	let known = true;
	let i = at;
	while (i < text.length && text[i] !== quote) {
		const c = text[i] ?? "";
		if (c === "\\") {
			const next = text[i + 1] ?? "";
			if (raw) out += c + next;
			else if (next === "u" && text[i + 2] === "{") {
				const close = text.indexOf("}", i);
				out += String.fromCodePoint(
					Number.parseInt(text.slice(i + 3, close), 16),
				);
				i = close - 1;
			} else if (next === "u" || next === "x") {
				const n = next === "u" ? 4 : 2;
				out += String.fromCharCode(
					Number.parseInt(text.slice(i + 2, i + 2 + n), 16),
				);
				i += n;
			} else if (next !== "\n") out += COOKED[next] ?? next;
			i += 2;
		} else if (quote === "`" && c === "$" && text[i + 1] === "{") {
			const close = text.indexOf("}", i);
			const value = resolve(text.slice(i + 2, close).trim());
			if (value === undefined) known = false;
			else out += value;
			i = close + 1;
		} else {
			out += c;
			i++;
		}
	}
	return { value: known ? out : undefined, end: i + 1 };
}

/** Skips blanks and comments. */
const skipBlanks = (text: string, at: number) => {
	let i = at;
	for (;;) {
		while (/\s/.test(text[i] ?? "")) i++;
		if (text.startsWith("//", i)) i = text.indexOf("\n", i);
		else if (text.startsWith("/*", i)) i = text.indexOf("*/", i) + 2;
		else return i;
		if (i < 0) return text.length;
	}
};

/** A string literal, a template or a String.raw template at `at`, else undefined. */
function stringAt(
	text: string,
	at: number,
	resolve: (expression: string) => string | undefined,
): Read | undefined {
	const c = text[at];
	if (c === '"' || c === "'") return body(text, at + 1, c, false, resolve);
	if (c === "`") return body(text, at + 1, "`", false, resolve);
	if (text.startsWith("String.raw`", at))
		return body(text, at + 11, "`", true, resolve);
	return undefined;
}

/** A regex literal at `at` (the opening slash): its source and flags. */
function regexAt(
	text: string,
	at: number,
): Read & { value: string; flags: string } {
	let i = at + 1;
	let inClass = false;
	while (i < text.length) {
		const d = text[i];
		if (d === "\\") i += 2;
		else if (d === "[" || d === "]") {
			inClass = d === "[";
			i++;
		} else if (d === "/" && !inClass) break;
		else if (d === "\n") throw new Error("unterminated regex");
		else i++;
	}
	const source = text.slice(at + 1, i);
	let end = i + 1;
	while (/[a-z]/.test(text[end] ?? "")) end++;
	return { value: source, end, flags: text.slice(i + 1, end) };
}

/**
 * Resolves the constants that `new RegExp(...)` arguments name: `const NAME = ...` in
 * the file itself, else in the file an `import { NAME }` names (followed through
 * re-exports), to the pattern text it stands for.
 */
export class Constants {
	private readonly cache = new Map<string, string | undefined>();
	constructor(private readonly read: (path: string) => string | undefined) {}

	/** The pattern text of `expression` (`NAME` or `NAME.source`) in `path`. */
	resolve(path: string, expression: string, depth = 0): string | undefined {
		const match = /^([A-Za-z_$][\w$]*)(\.source)?$/.exec(expression);
		if (!match || depth > 8) return undefined;
		const name = match[1] ?? "";
		const key = `${path}\0${name}`;
		if (this.cache.has(key)) return this.cache.get(key);
		this.cache.set(key, undefined); // a cycle resolves to nothing
		const value = this.lookup(path, name, depth);
		this.cache.set(key, value);
		return value;
	}

	private lookup(
		path: string,
		name: string,
		depth: number,
	): string | undefined {
		const text = this.read(path);
		if (text === undefined) return undefined;
		const at = new RegExp(`(?:^|\\n)(?:export )?const ${name}\\s*=\\s*`).exec(
			text,
		);
		if (at) {
			const start = at.index + at[0].length;
			const inner = (e: string) => this.resolve(path, e, depth + 1);
			if (text[start] === "/") return regexAt(text, start).value;
			if (text.startsWith("new RegExp(", start))
				return dynamicAt(text, start + "new RegExp(".length, inner).source;
			return stringAt(text, start, inner)?.value;
		}
		for (const m of text.matchAll(
			/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*"([^"]+)"/g,
		)) {
			const names = (m[1] ?? "").split(",").map((n) => n.trim());
			if (names.includes(name))
				return this.resolve(join(dirname(path), m[2] ?? ""), name, depth + 1);
		}
		return undefined;
	}
}

/** The arguments of `new RegExp(` from `at` (after the parenthesis). */
function dynamicAt(
	text: string,
	at: number,
	resolve: (expression: string) => string | undefined,
): { source: string | undefined; flags: string; known: boolean } {
	const first = stringAt(text, skipBlanks(text, at), resolve);
	if (!first) return { source: undefined, flags: "", known: false };
	let i = skipBlanks(text, first.end);
	let flags = "";
	if (text[i] === "," && text[skipBlanks(text, i + 1)] === ")")
		i = skipBlanks(text, i + 1);
	else if (text[i] === ",") {
		const second = stringAt(text, skipBlanks(text, i + 1), () => undefined);
		if (!second || second.value === undefined)
			return { source: undefined, flags: "", known: false };
		flags = second.value;
		i = skipBlanks(text, second.end);
		if (text[i] === ",") i = skipBlanks(text, i + 1);
	}
	if (text[i] !== ")") return { source: undefined, flags, known: false };
	return { source: first.value, flags, known: first.value !== undefined };
}

/** Every `new RegExp(` of a source, with its pattern resolved where it can be. */
export function dynamicPatterns(
	file: string,
	path: string,
	text: string,
	constants: Constants,
): Dynamic[] {
	const out: Dynamic[] = [];
	for (
		let at = text.indexOf("new RegExp(");
		at >= 0;
		at = text.indexOf("new RegExp(", at + 1)
	) {
		const line = text.slice(0, at).split("\n").length;
		const lineStart = text.lastIndexOf("\n", at) + 1;
		if (/^\s*(?:\/\/|\*)/.test(text.slice(lineStart, at))) continue; // a comment
		const args = dynamicAt(text, at + "new RegExp(".length, (e) =>
			constants.resolve(path, e),
		);
		const rest = text.slice(skipBlanks(text, at + "new RegExp(".length));
		out.push({
			file,
			line,
			source: args.known ? args.source : undefined,
			flags: args.flags,
			text: rest.slice(0, 60).split("\n")[0] ?? "",
		});
	}
	return out;
}

function sources(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true, recursive: true })
		.filter((e) => e.isFile() && e.name.endsWith(".ts"))
		.map((e) => join(e.parentPath, e.name))
		.sort();
}

/** Results of earlier runs: a pattern's verdict does not change (recheck is pinned). */
const CACHE = join(ROOT, "node_modules", ".cache", "redos.json");

function verdict(source: string, flags: string): string {
	// a fixed seed: the fuzzer's verdict is the same on every machine and every run
	const result = checkSync(source, flags, { timeout: 10_000, randomSeed: 0 });
	if (result.status === "vulnerable")
		return `vulnerable (${result.complexity.summary}), attack: ${JSON.stringify(result.attack.pattern)}`;
	return result.status === "unknown"
		? `unknown (${result.error.kind})`
		: "safe";
}

if (import.meta.main) {
	const verbose = process.argv.includes("--verbose");
	const files = process.argv.slice(2).filter((a) => !a.startsWith("--"));
	const list = files.length > 0 ? files : sources(join(ROOT, "src"));
	const known = JSON.parse(
		readFileSync(join(import.meta.dir, "redos-known.json"), "utf8"),
	) as Record<string, string>;
	const cache: Record<string, string> = existsSync(CACHE)
		? (JSON.parse(readFileSync(CACHE, "utf8")) as Record<string, string>)
		: {};
	let checked = 0;
	let dynamicChecked = 0;
	const unchecked: string[] = [];
	const constants = new Constants((path) =>
		existsSync(path) ? readFileSync(path, "utf8") : undefined,
	);
	const failures: string[] = [];
	const warnings: string[] = [];
	const present = new Set<string>();
	for (const path of list) {
		const text = readFileSync(path, "utf8");
		const file = relative(ROOT, path);
		const dynamics = dynamicPatterns(file, path, text, constants);
		for (const d of dynamics)
			if (d.source === undefined)
				unchecked.push(`${d.file}:${d.line}: new RegExp(${d.text}`);
		const found = [
			...regexLiterals(file, text),
			...dynamics.filter((d): d is Dynamic & { source: string } => {
				if (d.source === undefined) return false;
				dynamicChecked++;
				return true;
			}),
		];
		for (const literal of found) {
			const key = `/${literal.source}/${literal.flags}`;
			present.add(key);
			cache[key] ??= verdict(literal.source, literal.flags);
			const status = cache[key] ?? "";
			checked++;
			const where = `${literal.file}:${literal.line}: ${key}: ${status}`;
			if (verbose) console.log(where);
			if (status.startsWith("vulnerable") && !(key in known))
				failures.push(where);
			else if (status.startsWith("unknown")) warnings.push(where);
		}
	}
	mkdirSync(dirname(CACHE), { recursive: true });
	writeFileSync(CACHE, JSON.stringify(cache, null, "\t"));
	for (const w of warnings) console.warn(`warning: not decided in 10 s: ${w}`);
	for (const key of Object.keys(known))
		if (files.length === 0 && (!present.has(key) || cache[key] === "safe"))
			console.warn(
				`note: ${key} is no longer vulnerable: remove it from scripts/redos-known.json`,
			);
	for (const f of failures) console.error(`super-linear: ${f}`);
	if (verbose) for (const u of unchecked) console.log(`unchecked: ${u}`);
	const listed = [...present].filter(
		(k) => k in known && cache[k]?.startsWith("vulnerable"),
	).length;
	console.log(
		`redos: ${checked} regular expressions in ${list.length} files (${checked - dynamicChecked} literals, ` +
			`${dynamicChecked} new RegExp() resolved; ${present.size} distinct): ` +
			`${failures.length} new super-linear, ${listed} known (scripts/redos-known.json), ` +
			`${warnings.length} undecided; ${unchecked.length} new RegExp() not resolvable, not checked (--verbose lists them)`,
	);
	process.exitCode = failures.length > 0 ? 1 : 0;
}
