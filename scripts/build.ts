// Compiles src/cli.ts into one self-contained binary: dist/dmarc-dsn-processor, and writes
// its man page, dist/dmarc-dsn-processor.8, from the binary's help (scripts/release/manpage.ts).
// Flags from postfix.md: a binary run by pipe(8) must not read .env or bunfig.toml
// from its working directory. scripts/release.ts compiles the release binaries with
// compile() below, so every binary is built the same way.
//
//   bun scripts/build.ts [--target=bun-linux-arm64] [--commit=abc1234] [OUTFILE]
//
// Start-up settings (measured by scripts/bench/ingest-profile.ts, BENCHMARKS.md): every
// DSN is a new process, so what one run costs is mostly starting up.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { docBlocks } from "./release/deb.ts";
import { DEB_PATHS } from "./release/lib.ts";
import { type Help, parseHelp, renderManPage } from "./release/manpage.ts";

/** The short commit that `--version` prints: BUILD_COMMIT in src/version.ts. */
export function buildCommit(): string {
	try {
		return execFileSync("git", ["rev-parse", "--short", "HEAD"], {
			encoding: "utf8",
			stdio: ["ignore", "pipe", "ignore"],
		}).trim();
	} catch {
		return "unknown";
	}
}

export interface CompileOptions {
	outfile: string;
	/** `bun build --target`, e.g. bun-linux-arm64; the host's platform when absent */
	target?: string;
	/** defaults to buildCommit() */
	commit?: string;
	/** defaults to src/cli.ts (the ingest profile builds its own entry the same way) */
	entry?: string;
	/** false: without BYTECODE_ORDER (scripts/bench/ingest-order.ts records it from such a build) */
	bytecodeOrder?: false;
}

/**
 * JavaScriptCore's tier-up thresholds times this: a run is one DSN, so compiling
 * run-once start-up code to machine code costs more than it saves (time and memory).
 */
export const JIT_POLICY = 10;

/**
 * Which bytecode a typical `ingest` runs, recorded by scripts/bench/ingest-order.ts
 * (BUN_BYTECODE_ORDER_OUT): Bun lays that bytecode out together at the front, so a run
 * touches fewer of the binary's pages (about 2 MiB of peak RSS, BENCHMARKS.md). A
 * profile of an older build still applies; without the file the build is unordered.
 */
export const BYTECODE_ORDER = join(
	import.meta.dirname,
	"bench",
	"ingest-bytecode-order.txt",
);

/** A fix of a start-up cost in a dependency, applied while bundling. */
export interface SourcePatch {
	readonly name: string;
	/** The file, from the project root. */
	readonly path: string;
	/** Each `from` must occur in the file; every occurrence becomes `to`. */
	readonly replace: readonly (readonly [from: string, to: string])[];
}

export const SOURCE_PATCHES: readonly SourcePatch[] = [
	{
		// postal-mime tests every Date header with `date.toString() === 'Invalid Date'`:
		// Date#toString loads ICU's time zone names (about 4 ms and 4 MiB of every run).
		// An invalid Date's time value is NaN (ECMA-262 §21.4.1.1): the same test.
		name: "postal-mime: Date check without Date#toString",
		path: "node_modules/postal-mime/dist/esm/postal-mime.js",
		replace: [
			["date.toString() === 'Invalid Date'", "Number.isNaN(date.getTime())"],
		],
	},
	{
		// The table of 2,231 HTML entity names is built at start-up; only an HTML part
		// needs it (about 1 ms of every run): loaded on first use instead.
		name: "postal-mime: HTML entities loaded on first use",
		path: "node_modules/postal-mime/dist/esm/text-format.js",
		replace: [
			[
				"import { htmlEntities } from './html-entities.js';",
				"let entities$; const htmlEntities$ = () => (entities$ ??= require('./html-entities.js').htmlEntities);",
			],
			["htmlEntities[match]", "htmlEntities$()[match]"],
		],
	},
	{
		// readLine looked at every byte in JavaScript (in the interpreter, a quarter of
		// a parse's time): the line feed is found with indexOf and the line's trailing
		// CR/LF run is cut as before (each line ends at its first LF, without the CRs
		// and LFs that end it)
		name: "postal-mime: readLine with indexOf",
		path: "node_modules/postal-mime/dist/esm/postal-mime.js",
		replace: [
			[
				`    readLine() {
        let startPos = this.readPos;
        let endPos = this.readPos;
        while (this.readPos < this.av.length) {
            const c = this.av[this.readPos++];
            if (c !== 0x0d && c !== 0x0a) {
                endPos = this.readPos;
            }
            if (c === 0x0a) {
                return {
                    bytes: new Uint8Array(this.buf, startPos, endPos - startPos),
                    done: this.readPos >= this.av.length
                };
            }
        }
        return {
            bytes: new Uint8Array(this.buf, startPos, endPos - startPos),
            done: this.readPos >= this.av.length
        };
    }`,
				`    readLine() {
        const av = this.av;
        const startPos = this.readPos;
        const lf = av.indexOf(0x0a, startPos);
        this.readPos = lf < 0 ? av.length : lf + 1;
        let endPos = lf < 0 ? av.length : lf;
        while (endPos > startPos && (av[endPos - 1] === 0x0d || av[endPos - 1] === 0x0a)) {
            endPos--;
        }
        return {
            bytes: new Uint8Array(this.buf, startPos, endPos - startPos),
            done: this.readPos >= av.length
        };
    }`,
			],
			// only a Blob can be a Blob: a string or a byte array (all we pass) is not
			// tested with instanceof Blob, which builds Bun's Blob class on first use
			[
				"return value instanceof Blob ||",
				"return !(typeof value === 'string' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) && value instanceof Blob ||",
			],
		],
	},
	{
		// stripComments copies a structured header value one character at a time (each
		// Content-Type, -Disposition and -Transfer-Encoding): hot enough that the JIT
		// compiles it in every run. Without a "(" no comment can start, and every character
		// is copied as it is: the value is returned as it is
		name: "postal-mime: stripComments without a comment",
		path: "node_modules/postal-mime/dist/esm/mime-node.js",
		replace: [
			[
				"    stripComments(str) {\n",
				"    stripComments(str) {\n        if (typeof str === 'string' && !str.includes('(')) {\n            return str;\n        }\n",
			],
		],
	},
	{
		// The parsed address fields, the decoded Message-ID, In-Reply-To and References
		// and the parsed Date are not read (src/mail/message.ts reads headers, subject,
		// text, html and attachments): not computed, so each parse runs neither the
		// address parser nor Date parsing
		name: "postal-mime: no fields we do not read",
		path: "node_modules/postal-mime/dist/esm/postal-mime.js",
		replace: [
			["for (const key of ['from', 'sender']) {", "for (const key of []) {"],
			[
				`        for (const [key, camelKey] of [
            ['delivered-to', 'deliveredTo'],
            ['return-path', 'returnPath']
        ]) {`,
				"        for (const [key, camelKey] of []) {",
			],
			[
				`        for (const [key, camelKey] of [
            ['to', 'to'],
            ['cc', 'cc'],
            ['bcc', 'bcc'],
            ['reply-to', 'replyTo']
        ]) {`,
				"        for (const [key, camelKey] of []) {",
			],
			[
				`        for (const [key, camelKey] of [
            ['subject', 'subject'],
            ['message-id', 'messageId'],
            ['in-reply-to', 'inReplyTo'],
            ['references', 'references']
        ]) {`,
				"        for (const [key, camelKey] of [['subject', 'subject']]) {",
			],
			[
				"let dateHeader = headers.find(line => line.key === 'date');",
				"let dateHeader = undefined;",
			],
		],
	},
	{
		// Each decoded part went through a Blob and back (Blob#arrayBuffer): its chunks
		// are copied into one ArrayBuffer instead, strings as UTF-8 as a Blob encodes them
		// (the File API's "process blob parts" algorithm); still returned as a promise
		name: "postal-mime: part content without a Blob",
		path: "node_modules/postal-mime/dist/esm/decode-strings.js",
		replace: [
			[
				"export async function blobToArrayBuffer(blob) {",
				`const lineFeed = new Uint8Array([0x0a]);
export function chunksToArrayBuffer(chunks) {
    const parts = chunks.map(chunk => chunk === '\\n' ? lineFeed : typeof chunk === 'string' ? textEncoder.encode(chunk) : ArrayBuffer.isView(chunk) ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength) : new Uint8Array(chunk));
    let size = 0;
    for (const part of parts) size += part.length;
    const out = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
        out.set(part, at);
        at += part.length;
    }
    return Promise.resolve(out.buffer);
}
export async function blobToArrayBuffer(blob) {`,
			],
		],
	},
	...["pass-through-decoder", "base64-decoder", "qp-decoder"].map(
		(decoder): SourcePatch => ({
			name: `postal-mime: ${decoder} without a Blob`,
			path: `node_modules/postal-mime/dist/esm/${decoder}.js`,
			replace: [
				[
					"blobToArrayBuffer(new Blob(this.chunks, { type: 'application/octet-stream' }))",
					"chunksToArrayBuffer(this.chunks)",
				],
				["blobToArrayBuffer", "chunksToArrayBuffer"],
			],
		}),
	),
];

/** The onLoad filter for a patched file: its path, under any project root. */
function patchFilter(path: string): RegExp {
	const tail = path
		.split("/")
		.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
		.join("[\\\\/]");
	return new RegExp(`[\\\\/]${tail}$`);
}

/**
 * Applies SOURCE_PATCHES. They change speed, not behaviour: a patch whose text is gone
 * (a new version of the dependency) is left out with a warning, and test/build.test.ts
 * fails until it is rechecked.
 */
const patchPlugin: Bun.BunPlugin = {
	name: "source-patches",
	setup(builder) {
		// one onLoad per file (Bun runs only the first that matches), its patches in order
		for (const path of new Set(SOURCE_PATCHES.map((p) => p.path))) {
			const patches = SOURCE_PATCHES.filter((p) => p.path === path);
			builder.onLoad({ filter: patchFilter(path) }, (args) => {
				let patched = readFileSync(args.path, "utf8");
				for (const patch of patches) {
					if (patch.replace.some(([from]) => !patched.includes(from))) {
						console.error(`build: ${patch.name}: not applied, text not found`);
						continue;
					}
					for (const [from, to] of patch.replace)
						patched = patched.replaceAll(from, to);
				}
				return { contents: patched, loader: "js" };
			});
		}
	},
};

/** Bun.build's configuration for one binary. */
export function buildConfig(options: CompileOptions) {
	return {
		entrypoints: [options.entry ?? "src/cli.ts"],
		compile: {
			outfile: options.outfile,
			...(options.target
				? { target: options.target as Bun.Build.CompileTarget }
				: {}),
			autoloadDotenv: false,
			autoloadBunfig: false,
			jitPolicy: JIT_POLICY,
			bytecodeOrder:
				options.bytecodeOrder !== false &&
				existsSync(BYTECODE_ORDER) &&
				BYTECODE_ORDER,
		},
		minify: true,
		bytecode: true,
		// the table command, citty, DKIM (mailauth) and the report XML reader in chunks of
		// their own: an ingest loads none of them (about 0.5 ms of every run)
		splitting: true,
		format: "esm",
		define: {
			BUILD_COMMIT: JSON.stringify(options.commit ?? buildCommit()),
		},
		plugins: [patchPlugin],
	} satisfies Bun.BuildConfig;
}

/** Builds one binary in this process; false (with the messages printed) on failure. */
export async function build(options: CompileOptions): Promise<boolean> {
	try {
		const result = await Bun.build(buildConfig(options));
		for (const message of result.logs) console.error(String(message));
		return result.success;
	} catch (error) {
		console.error(String(error));
		if (error instanceof AggregateError)
			for (const inner of error.errors) console.error(String(inner));
		return false;
	}
}

/** This script's arguments for one binary (compile() runs it as a child). */
export function compileArgs(options: CompileOptions): string[] {
	return [
		import.meta.filename,
		...(options.target ? [`--target=${options.target}`] : []),
		`--commit=${options.commit ?? buildCommit()}`,
		...(options.entry ? [`--entry=${options.entry}`] : []),
		options.outfile,
	];
}

/** Builds one binary in a child Bun (synchronous, for the release); its exit status. */
export function compile(options: CompileOptions): number {
	const result = spawnSync(process.execPath, compileArgs(options), {
		stdio: "inherit",
	});
	return result.status ?? 1;
}

function optionsFrom(argv: readonly string[]): CompileOptions {
	const options: CompileOptions = { outfile: "dist/dmarc-dsn-processor" };
	for (const arg of argv) {
		const [name, value = ""] = arg.split(/=(.*)/s);
		if (name === "--target") options.target = value;
		else if (name === "--commit") options.commit = value;
		else if (name === "--entry") options.entry = value;
		else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}`);
		else options.outfile = arg;
	}
	return options;
}

/** The help text of `binary ARGS...`, plain. */
export function helpOf(binary: string, args: readonly string[] = []): string {
	return execFileSync(binary, [...args], {
		encoding: "utf8",
		env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
	});
}

/**
 * dmarc-dsn-processor(8) from the help texts (`help(...args)` runs the command with those
 * arguments) and docs/postfix.md; scripts/release.ts writes the release's with it too.
 */
export function manPage(
	help: (...args: string[]) => string,
	commit = buildCommit(),
	date = new Date(),
): string {
	const parsed = (...args: string[]): Help => parseHelp(help(...args));
	const main = parsed("--help");
	const blocks = docBlocks(readFileSync("docs/postfix.md", "utf8"));
	return renderManPage({
		version: pkg.version,
		commit,
		date: date.toISOString().slice(0, 10),
		main,
		commands: main.commands.map((c) => ({
			name: c.name,
			help: parsed(c.name, "--help"),
		})),
		mainCf: blocks.mainCf,
		masterCf: blocks.masterCf,
		cron: blocks.cronJob,
		dataDir: DEB_PATHS.dataDir,
		updateMap: DEB_PATHS.updateMap,
	});
}

if (import.meta.main) {
	const options = optionsFrom(process.argv.slice(2));
	if (!(await build(options))) process.exit(1);
	// the man page comes from the help of the binary just built: only for this host's target
	if (options.target === undefined) {
		const epoch = Number(process.env.SOURCE_DATE_EPOCH);
		const date = Number.isFinite(epoch) ? new Date(epoch * 1000) : new Date();
		const page = manPage(
			(...args) => helpOf(options.outfile, args),
			options.commit,
			date,
		);
		writeFileSync(`${options.outfile}.8`, page);
		console.log(`  [man] ${options.outfile}.8`);
	}
}
