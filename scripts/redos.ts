// bun scripts/redos.ts [--verbose] [FILES...]
//
// The ReDoS check of `npm run check` (issue 11): every regular-expression literal in src/
// goes through recheck (its pure-JS backend: nothing is downloaded or spawned), which
// proves a pattern linear or shows an attack string that makes it backtrack
// super-linearly. A new vulnerable pattern fails the check; scripts/redos-known.json
// lists those found when the check came in (issue 11), each with where its input is
// bounded, to be fixed one by one (the check says when one can go). A pattern recheck
// cannot decide in 3 s (long alternations of words) is a warning. Verdicts are cached
// in node_modules/.cache/redos.json. Patterns built at run time with `new RegExp(...)`
// are not literals and are counted, not checked: keep them small.
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
				const start = i;
				let inClass = false;
				i++;
				while (i < text.length) {
					const d = text[i];
					if (d === "\\") i += 2;
					else if (d === "[" || d === "]") {
						inClass = d === "[";
						i++;
					} else if (d === "/" && !inClass) break;
					else if (d === "\n")
						throw new Error(`${file}:${line}: unterminated regex`);
					else i++;
				}
				const source = text.slice(start + 1, i);
				i++;
				let flags = "";
				while (i < text.length && /[a-z]/.test(text[i] ?? ""))
					flags += text[i++];
				out.push({ file, line, source, flags });
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

function sources(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true, recursive: true })
		.filter((e) => e.isFile() && e.name.endsWith(".ts"))
		.map((e) => join(e.parentPath, e.name))
		.sort();
}

/** Results of earlier runs: a pattern's verdict does not change (recheck is pinned). */
const CACHE = join(ROOT, "node_modules", ".cache", "redos.json");

function verdict(source: string, flags: string): string {
	const result = checkSync(source, flags, { timeout: 3_000 });
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
	let dynamic = 0;
	const failures: string[] = [];
	const warnings: string[] = [];
	const present = new Set<string>();
	for (const path of list) {
		const text = readFileSync(path, "utf8");
		const file = relative(ROOT, path);
		dynamic += text.split("new RegExp(").length - 1;
		for (const literal of regexLiterals(file, text)) {
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
	for (const w of warnings) console.warn(`warning: not decided in 3 s: ${w}`);
	for (const key of Object.keys(known))
		if (files.length === 0 && (!present.has(key) || cache[key] === "safe"))
			console.warn(
				`note: ${key} is no longer vulnerable: remove it from scripts/redos-known.json`,
			);
	for (const f of failures) console.error(`super-linear: ${f}`);
	const listed = [...present].filter(
		(k) => k in known && cache[k]?.startsWith("vulnerable"),
	).length;
	console.log(
		`redos: ${checked} regular-expression literals in ${list.length} files (${present.size} distinct): ` +
			`${failures.length} new super-linear, ${listed} known (scripts/redos-known.json), ` +
			`${warnings.length} undecided; ${dynamic} built with new RegExp() not checked`,
	);
	process.exitCode = failures.length > 0 ? 1 : 0;
}
