// Startup experiments: the CLI built with other compiler flags, or from a patched copy
// of src/ (and of postal-mime) in a temporary directory. The project's sources are never
// touched; a patch whose target text is gone reports "n/a" (the cause was fixed or moved).
import { spawnSync } from "node:child_process";
import {
	cpSync,
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	symlinkSync,
	writeFileSync,
} from "node:fs";
import { join } from "node:path";

/** The flags of scripts/build.ts, for the floor and the variants. */
export const SHIPPED_FLAGS = [
	"--minify",
	"--bytecode",
	"--no-compile-autoload-dotenv",
	"--no-compile-autoload-bunfig",
] as const;

export interface Patch {
	readonly name: string;
	/** Path below the variant root (src/... or node_modules/...). */
	readonly files: (root: string) => string[];
	/** The patched text, or undefined when the pattern is not there. */
	readonly apply: (text: string) => string | undefined;
}

/** `import { a, b as c } from "mod";` -> a lazy require on first use. */
function lazyImport(text: string, module: string, tag: string) {
	const re = new RegExp(
		`^import \\{([^}]*)\\} from "${module.replace(/[/.]/g, "\\$&")}";\\n`,
		"m",
	);
	const match = re.exec(text);
	if (!match) return undefined;
	let body = text.replace(match[0], "");
	for (const spec of (match[1] ?? "").split(",")) {
		const [name, alias] = spec.trim().split(/\s+as\s+/);
		if (!name) continue;
		body = body.replace(
			new RegExp(`(?<![\\w.$])${alias ?? name}\\b`, "g"),
			`(${tag}().${name})`,
		);
	}
	return `const ${tag} = () => require("${module}");\n${body}`;
}

export const LAZY_INFLATE: Patch = {
	name: "lazy node:zlib and fflate",
	files: () => ["src/report/attachment.ts"],
	apply: (text) => {
		const a = lazyImport(text, "node:zlib", "_zlib");
		return a && lazyImport(a, "fflate", "_fflate");
	},
};

export const SYNC_STDIN: Patch = {
	name: "stdin read with fs.readSync instead of the process.stdin stream",
	files: () => ["src/commands/ingest.ts"],
	apply: (text) =>
		text.includes("readInput(process.stdin,")
			? `${text.replace("readInput(process.stdin,", "readInput(_stdinChunks(),")}
function* _stdinChunks() {
	const { readSync } = require("node:fs");
	for (;;) {
		const chunk = new Uint8Array(65536);
		let n = 0;
		try {
			n = readSync(0, chunk, 0, chunk.length, null);
		} catch (error) {
			if (error && error.code === "EAGAIN") continue;
			if (error && error.code === "EOF") return;
			throw error;
		}
		if (n <= 0) return;
		yield chunk.subarray(0, n);
	}
}
`
			: undefined,
};

export const DATE_WITHOUT_ICU: Patch = {
	name: "postal-mime checks a Date without Date#toString (ICU time zone names)",
	files: (root) => jsFiles(join(root, "node_modules", "postal-mime", "dist")),
	apply: (text) =>
		text.includes("date.toString() === 'Invalid Date'")
			? text.replaceAll(
					"date.toString() === 'Invalid Date'",
					"Number.isNaN(date.getTime())",
				)
			: undefined,
};

function jsFiles(dir: string): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir, { recursive: true, encoding: "utf8" })
		.filter((f) => f.endsWith(".js"))
		.map((f) => join(dir, f));
}

/**
 * A copy of the project's sources with `patches` applied, node_modules linked (postal-mime
 * copied when a patch touches it). Returns the copy's root, or the names of the patches
 * that no longer apply.
 */
export function patchedCopy(
	project: string,
	dest: string,
	patches: readonly Patch[],
): { root: string; missing: string[] } {
	rmSync(dest, { recursive: true, force: true });
	mkdirSync(join(dest, "node_modules"), { recursive: true });
	cpSync(join(project, "src"), join(dest, "src"), { recursive: true });
	cpSync(join(project, "package.json"), join(dest, "package.json"));
	// scripts/build.ts writes the man page from docs/postfix.md, read from its cwd
	if (existsSync(join(project, "docs")))
		cpSync(join(project, "docs"), join(dest, "docs"), { recursive: true });
	const modules = join(project, "node_modules");
	for (const name of readdirSync(modules)) {
		const from = join(modules, name);
		if (name === "postal-mime")
			cpSync(from, join(dest, "node_modules", name), { recursive: true });
		else symlinkSync(from, join(dest, "node_modules", name));
	}
	const missing: string[] = [];
	for (const patch of patches) {
		let applied = false;
		for (const file of patch.files(dest)) {
			const path = file.startsWith("/") ? file : join(dest, file);
			if (!existsSync(path)) continue;
			const out = patch.apply(readFileSync(path, "utf8"));
			if (out === undefined) continue;
			writeFileSync(path, out);
			applied = true;
		}
		if (!applied) missing.push(patch.name);
	}
	return { root: dest, missing };
}

/** `bun build src/cli.ts --compile <flags>` in `cwd`; returns the binary's size or an error. */
export function compile(
	cwd: string,
	entry: string,
	flags: readonly string[],
	outfile: string,
): { ok: true; bytes: number } | { ok: false; error: string } {
	const result = spawnSync(
		process.execPath,
		["build", entry, "--compile", ...flags, "--outfile", outfile],
		{ cwd, encoding: "utf8" },
	);
	if (result.status !== 0)
		return {
			ok: false,
			error: `${result.stderr}${result.stdout}`.trim().slice(0, 300),
		};
	return { ok: true, bytes: statSync(outfile).size };
}
