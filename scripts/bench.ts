// npm run bench [-- --quick] [--original DIR] [--data DIR] [--only SECTIONS] [--no-write]
//
// Benchmarks of the compiled binary (issue 6), every figure a ratio measured side by
// side in one run: ingest per message against the floor (a compiled one-line Bun
// program) and the original Python tool, ingest throughput, `table` over data dirs of
// 10k-1M domain files, and startup options. Writes BENCHMARKS.md (kept in git).
//
// --original DIR   the original tool's dmarc_dsn_processor.py and
//                  build_postfix_discard_table.py (needs python3 + python3-validators);
//                  "n/a" without it. Its code is never part of this repository.
// --data DIR       where the table data dirs are generated and reused (/tmp/ddp-bench-data)
// --only LIST      ingest,throughput,table,startup (a partial run writes no BENCHMARKS.md)
// --quick          fewer rounds, 200 DSNs, no 1M table; writes BENCHMARKS.md only with --write
import { spawnSync } from "node:child_process";
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
	type Command,
	interleaved,
	measure,
	type Summary,
	throughput,
} from "./bench/measure.ts";
import { dsnOfSize, seriesDsn, typicalDsn } from "./bench/messages.ts";
import {
	bytes,
	loadNow,
	type Machine,
	machine,
	mb,
	ms,
	ratio,
	table,
} from "./bench/report.ts";
import {
	countDomainFiles,
	tableData,
	warmPageCache,
} from "./bench/table-data.ts";
import {
	compile,
	DATE_WITHOUT_ICU,
	LAZY_INFLATE,
	type Patch,
	patchedCopy,
	SHIPPED_FLAGS,
	SYNC_STDIN,
} from "./bench/variants.ts";

const ROOT = join(import.meta.dir, "..");
const SECTIONS = ["ingest", "throughput", "table", "startup"] as const;

const { values } = parseArgs({
	options: {
		quick: { type: "boolean", default: false },
		original: { type: "string" },
		data: { type: "string", default: join(tmpdir(), "ddp-bench-data") },
		only: { type: "string" },
		write: { type: "boolean", default: false },
		"no-write": { type: "boolean", default: false },
		out: { type: "string", default: join(ROOT, "BENCHMARKS.md") },
	},
});
const quick = values.quick === true;
const only = new Set(
	(values.only ?? SECTIONS.join(",")).split(",").map((s) => s.trim()),
);
const partial = SECTIONS.some((s) => !only.has(s));
const write =
	values["no-write"] !== true && !partial && (!quick || values.write === true);

const started = performance.now();
const work = mkdtempSync(join(tmpdir(), "ddp-bench-run-"));
const encode = (s: string) => new TextEncoder().encode(s);
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const log = (line: string) => console.log(`[${elapsed()}] ${line}`);
const dataDir = () => mkdtempSync(join(work, "data-"));

// ---- the three programs ----

function findPython(): { bin: string; version: string } | undefined {
	for (const bin of ["/usr/bin/python3", "python3"]) {
		const r = spawnSync(
			bin,
			[
				"-c",
				"import sys, validators; print(sys.version.split()[0], 'validators', validators.__version__)",
			],
			{ encoding: "utf8" },
		);
		if (r.status === 0) return { bin, version: r.stdout.trim() };
	}
	return undefined;
}

interface Original {
	readonly python: string;
	readonly ingest: string;
	readonly table: string;
}

function findOriginal(): { original?: Original; why: string } {
	const dir = values.original;
	if (!dir) return { why: "not measured: no --original DIR" };
	const ingest = join(dir, "dmarc_dsn_processor.py");
	const tableScript = join(dir, "build_postfix_discard_table.py");
	if (!existsSync(ingest) || !existsSync(tableScript))
		return { why: `not measured: ${dir} lacks the original's two scripts` };
	const python = findPython();
	if (!python)
		return {
			why: "not measured: no python3 with the validators module (apt-get install python3-validators)",
		};
	return {
		original: { python: python.bin, ingest, table: tableScript },
		why: `python ${python.version}`,
	};
}

/** The commit measured, and whether src/ had changes on top of it. */
function revision(): string {
	const git = (args: string[]) =>
		spawnSync("git", args, { cwd: ROOT, encoding: "utf8" }).stdout.trim();
	const commit = git(["rev-parse", "--short", "HEAD"]) || "unknown";
	return git(["status", "--porcelain", "src", "package.json"])
		? `${commit} with uncommitted changes (src/, package.json)`
		: commit;
}

/**
 * Builds ours from a snapshot of src/ taken now, so every section measures the same
 * code even when src/ changes during the run; the startup variants start from it too.
 */
function build(): {
	ours: string;
	floor: string;
	sizes: [number, number];
	snapshot: string;
} {
	const snapshot = patchedCopy(ROOT, join(work, "snapshot"), []).root;
	const ours = join(work, "dmarc-dsn-processor");
	const r = spawnSync(
		process.execPath,
		[join(ROOT, "scripts", "build.ts"), ours],
		{ cwd: snapshot, encoding: "utf8" },
	);
	if (r.status !== 0) throw new Error(`build failed: ${r.stderr}${r.stdout}`);
	const floorSrc = join(work, "floor.ts");
	writeFileSync(floorSrc, 'console.log("ok");\n');
	const floor = join(work, "floor");
	const f = compile(work, floorSrc, SHIPPED_FLAGS, floor);
	if (!f.ok) throw new Error(`floor build failed: ${f.error}`);
	return { ours, floor, sizes: [statSync(ours).size, f.bytes], snapshot };
}

const found = findOriginal();
const original = found.original;
const host: Machine = machine(found.why);
log(`building into ${work}`);
const measured = revision();
const bins = build();
const oursIngest = (dir: string, queueId = "BENCH"): Command => ({
	argv: [bins.ours, "ingest", queueId, "", dir],
});
const origIngest = (dir: string, queueId = "BENCH"): Command | null =>
	original
		? { argv: [original.python, original.ingest, queueId, "", dir] }
		: null;
const floor: Command = { argv: [bins.floor] };

// ---- ingest, per message ----

interface Headline {
	typicalVsFloor?: Summary[];
	typicalVsOriginal?: number;
	table100k?: number;
	/** The original's time over readdir + stat at 100k: the best any scan could do. */
	table100kFloor?: number | undefined;
	table100kRss?: number;
	table1m?: number;
	tableEmptyRss?: number | undefined;
	/** `--version`: the binary started and its bundle initialised, no command run. */
	versionRss?: number | undefined;
	/** table at 100k with JavaScriptCore's JIT off (a diagnosis, never shipped). */
	table100kNoJitRss?: number | undefined;
	bestVariant?: { name: string; wall: number; floor: number };
}
const headline: Headline = {};
const out: string[] = [];

async function ingestSection(): Promise<string> {
	const messages = [
		{ name: "typical Postfix DSN", data: typicalDsn(ROOT), rounds: 30 },
		{ name: "50 KB DSN", data: encode(dsnOfSize(50_000)), rounds: 20 },
		{ name: "10 MB DSN", data: encode(dsnOfSize(10_000_000)), rounds: 5 },
	];
	const rows: string[][] = [];
	const originalLimitMs = quick ? 20_000 : 60_000;
	for (const m of messages) {
		const rounds = quick ? Math.max(2, Math.round(m.rounds / 3)) : m.rounds;
		const check = await measure(oursIngest(dataDir()), m.data);
		if (!/^(?:WARNING[^,]*, )?recorded /.test(check.stdout))
			throw new Error(`ingest of the ${m.name}: ${check.stdout}`);
		log(`ingest: ${m.name} (${bytes(m.data.length)}), ${rounds} rounds`);
		const [f, o, p] = await interleaved(
			[floor, oursIngest(dataDir()), origIngest(dataDir())],
			m.data,
			rounds,
			{ timeoutMs: originalLimitMs },
		);
		if (!f || !o) continue;
		if (m.name.startsWith("typical")) {
			headline.typicalVsFloor = [f, o];
			if (p) headline.typicalVsOriginal = p.wallMs / o.wallMs;
		}
		const orig = (s: Summary | null | undefined, v: string) =>
			!s ? "n/a" : s.timedOut ? `> ${ms(originalLimitMs)} (stopped)` : v;
		rows.push([
			`${m.name} (${bytes(m.data.length)})`,
			`${ms(f.wallMs)}, ${mb(f.maxRssMb)}`,
			ms(o.wallMs),
			ms(o.cpuMs),
			mb(o.maxRssMb),
			ratio(o.wallMs, f.wallMs),
			ratio(o.maxRssMb, f.maxRssMb),
			orig(p, `${ms(p?.wallMs)}, ${mb(p?.maxRssMb)}`),
			orig(p, ratio(p?.wallMs, o.wallMs)),
		]);
	}
	return `## ingest, one message

Medians of interleaved rounds (floor, ours, original, floor, ...). Wall is spawn to exit,
stdin given in full; CPU is user+system of the child (rusage); RSS is its peak, from
3 more rounds through \`/usr/bin/time\`. The original is stopped after ${ms(originalLimitMs)}: it
reads stdin with \`MAIL_DATA += line\` on a module-level name, which copies the message so
far for every line, so its time grows with the square of the message size.

${table(
	[
		"message",
		"floor",
		"ours wall",
		"ours CPU",
		"ours RSS",
		"ours/floor wall",
		"ours/floor RSS",
		"original",
		"original/ours wall",
	],
	rows,
)}
`;
}

// ---- throughput ----

function recordedLines(dir: string): number {
	const domains = join(dir, "domains");
	if (!existsSync(domains)) return 0;
	let n = 0;
	for (const name of readdirSync(domains))
		n += readFileSync(join(domains, name), "utf8")
			.split("\n")
			.filter(Boolean).length;
	return n;
}

async function throughputSection(): Promise<string> {
	const count = quick ? 200 : 1000;
	const inputs = Array.from({ length: count }, (_, i) => encode(seriesDsn(i)));
	const tools: {
		name: string;
		command: (dir: string, i: number) => Command | null;
		counts: boolean;
	}[] = [
		{ name: "floor", command: () => floor, counts: false },
		{
			name: "ours",
			command: (dir, i) => oursIngest(dir, `B${i}`),
			counts: true,
		},
		{
			name: "original",
			command: (dir, i) => origIngest(dir, `B${i}`),
			counts: true,
		},
	];
	// the tools take turns in batches, so a busy neighbour slows them alike
	const batches = 10;
	const size = Math.ceil(count / batches);
	const active = tools.filter((t) => t.command(work, 0));
	const totals = new Map<string, { wall: number[]; failures: number[] }>();
	const dirs = new Map<string, string[]>();
	for (const tool of active) {
		totals.set(tool.name, { wall: [0, 0], failures: [0, 0] });
		dirs.set(tool.name, [dataDir(), dataDir()]);
	}
	for (const [j, jobs] of [1, 8].entries()) {
		log(
			`throughput: ${count} DSNs, ${jobs} at a time, ${active.map((t) => t.name).join(", ")} in turns`,
		);
		for (let b = 0; b < batches; b++) {
			const first = b * size;
			const slice = inputs.slice(first, first + size);
			for (const tool of active) {
				const dir = dirs.get(tool.name)?.[j] ?? work;
				const r = await throughput(
					(i) => tool.command(dir, first + i) ?? floor,
					slice,
					jobs,
				);
				const t = totals.get(tool.name);
				if (!t) continue;
				t.wall[j] = (t.wall[j] ?? 0) + r.wallMs;
				t.failures[j] = (t.failures[j] ?? 0) + r.failures;
			}
		}
	}
	const rows: string[][] = [];
	const rates: Record<string, [number, number]> = {};
	for (const tool of tools) {
		const t = totals.get(tool.name);
		if (!t) {
			rows.push([tool.name, "n/a", "n/a", "n/a", "n/a", "n/a"]);
			continue;
		}
		const pair = t.wall.map((w) => (count * 1000) / (w ?? 1));
		rates[tool.name] = [pair[0] ?? 0, pair[1] ?? 0];
		const lines = tool.counts
			? (dirs.get(tool.name) ?? [])
					.map(
						(dir, j) =>
							`${recordedLines(dir)}/${count}${t.failures[j] ? ` (${t.failures[j]} failed)` : ""}`,
					)
					.join(", ")
			: "-";
		rows.push([
			tool.name,
			`${ms(t.wall[0])} (${(pair[0] ?? 0).toFixed(0)}/s)`,
			`${ms(t.wall[1])} (${(pair[1] ?? 0).toFixed(0)}/s)`,
			ms(1000 / (pair[0] ?? 1)),
			ratio(pair[1], pair[0]),
			lines,
		]);
	}
	const vs = (a: string, b: string, i: 0 | 1) =>
		ratio(rates[a]?.[i], rates[b]?.[i]);
	return `## ingest throughput: ${count} DSNs, one process each

Each DSN is a separate process, as Postfix's pipe(8) runs it: ${count} DSNs for 50 report
domains and 300 recipients, into one data dir per program and mode; the programs take turns
in batches of ${Math.ceil(count / 10)}. "lines" counts the records found afterwards (sequential, then
8 at a time): nothing may be lost.

${table(
	[
		"program",
		"1 at a time",
		"8 at a time",
		"per DSN (sequential)",
		"gain from 8",
		"lines",
	],
	rows,
)}

Ours processes ${vs("ours", "original", 0)} as many DSNs per second as the original sequentially and
${vs("ours", "original", 1)} 8 at a time; the floor does ${vs("floor", "ours", 0)} as many as ours.
`;
}

// ---- table ----

/** readdir + one stat per file, in this process: a floor for any per-file scan. */
function statEveryFile(dir: string): number {
	const domains = join(dir, "domains");
	const started = performance.now();
	for (const name of readdirSync(domains)) statSync(join(domains, name));
	return performance.now() - started;
}

async function tableSection(): Promise<string> {
	const sizes = quick
		? [1_000, 10_000, 100_000]
		: [1_000, 10_000, 100_000, 1_000_000];
	const rows: string[][] = [];
	const walls: [number, number, number | undefined][] = [];
	mkdirSync(values.data ?? work, { recursive: true });
	const [empty] = await interleaved(
		[{ argv: [bins.ours, "table", dataDir()] }],
		null,
		5,
		{ rssAlways: true },
	);
	headline.tableEmptyRss = empty?.maxRssMb;
	const [version] = await interleaved(
		[{ argv: [bins.ours, "--version"] }],
		null,
		5,
		{ rssAlways: true },
	);
	headline.versionRss = version?.maxRssMb;
	if (empty)
		rows.push([
			"0 (empty data dir)",
			"0",
			"",
			ms(empty.wallMs),
			mb(empty.maxRssMb),
			"0",
			"",
			"",
			"",
			"",
			"",
		]);
	for (const n of sizes) {
		log(`table: data dir of ${n} files (${values.data})`);
		const data = tableData(values.data ?? work, n);
		if (countDomainFiles(data.dir) !== n)
			throw new Error(`${data.dir}: expected ${n} domain files`);
		log(
			`table: ${data.reused ? "reused" : "generated"} in ${ms(data.generatedMs)}`,
		);
		const rounds = quick ? 1 : n >= 1_000_000 ? 3 : n >= 100_000 ? 5 : 7;
		const ours: Command = {
			argv: [bins.ours, "table", "--now", data.now, data.dir],
		};
		const orig: Command | null = original
			? {
					argv: [original.python, original.table],
					env: { DATA_DIR: data.dir },
				}
			: null;
		log(`table: page cache warmed in ${ms(warmPageCache(data.dir))}`);
		const floorMs = statEveryFile(data.dir);
		// the first run after a switch from the original: a full scan that writes the
		// journal (the data dirs are in the original's layout, without one). At 1M it
		// takes minutes: done again only when the cached data dir has no journal.
		const cached =
			n >= 1_000_000 && existsSync(join(data.dir, "journal", ".complete"));
		log(`table: full scan and journal rebuild${cached ? " (cached)" : ""}`);
		const rebuild = cached
			? undefined
			: await measure(
					{
						argv: [
							...ours.argv.slice(0, 2),
							"--rebuild-journal",
							...ours.argv.slice(2),
						],
					},
					null,
					60 * 60_000,
					true,
				);
		if (rebuild && rebuild.exitCode !== 0)
			throw new Error(`table --rebuild-journal failed on ${data.dir}`);
		const [o, p] = await interleaved([ours, orig], null, rounds, {
			warmup: 1,
			timeoutMs: 20 * 60_000,
			rssAlways: true,
		});
		if (!o) continue;
		if (
			rebuild &&
			o.outputLines !== rebuild.stdout.split("\n").filter(Boolean).length
		)
			throw new Error(`${data.dir}: the journal's map differs from the scan's`);
		walls.push([n, o.wallMs, p?.wallMs]);
		if (n === 100_000) {
			if (p) headline.table100k = p.wallMs / o.wallMs;
			headline.table100kFloor = p ? p.wallMs / floorMs : undefined;
			headline.table100kRss = o.maxRssMb;
			// what the JIT (compiled code, compiler threads) adds to the peak: the same
			// run with it off, through the environment (Bun's JSC reads BUN_JSC_* only there)
			const noJit = await measure(
				{ argv: ours.argv, env: { BUN_JSC_useJIT: "0" } },
				null,
				5 * 60_000,
				true,
			);
			headline.table100kNoJitRss = noJit.maxRssMb;
		}
		if (n === 1_000_000) headline.table1m = o.wallMs;
		rows.push([
			n.toLocaleString("en-US"),
			`${data.inside.toLocaleString("en-US")}`,
			ms(floorMs),
			ms(o.wallMs),
			mb(o.maxRssMb),
			`${o.outputLines}`,
			rebuild
				? `${ms(rebuild.wallMs)}, ${mb(rebuild.maxRssMb)}`
				: "not repeated (journal cached)",
			p ? ms(p.wallMs) : "n/a",
			p ? mb(p.maxRssMb) : "n/a",
			p ? `${p.outputLines}` : "n/a",
			p ? ratio(p.wallMs, o.wallMs) : "n/a",
		]);
	}
	const growth = walls.slice(1).map(([n, w, pw], i) => {
		const [n0, w0, pw0] = walls[i] ?? [1, 1, undefined];
		const slope = (a: number, b: number) =>
			(Math.log(a / b) / Math.log(n / n0)).toFixed(2);
		return `- ${n0.toLocaleString("en-US")} -> ${n.toLocaleString("en-US")} files: ours ${ratio(w, w0)} the time (exponent ${slope(w, w0)}), ${((1000 * w) / n).toFixed(1)} µs per file${pw && pw0 ? `; original ${ratio(pw, pw0)} (exponent ${slope(pw, pw0)})` : ""}`;
	});
	return `## table

Data dirs in the original's layout (\`domains/<domain>\`, the original's JSON lines, one
in three files with an earlier bounce too, mtime at the last bounce), a quarter of the
files inside the 30-day window. Every file is read once before the runs, so all find a
warm page cache. "first run" is \`table --rebuild-journal\`, once: a full scan of
every domain file, as after a switch from the original, which writes \`journal/\`
(one file per day, the failures ingest records; src/state/journal.ts). Then ours runs
\`table --now <generation date> DIR\`, interleaved with the original's \`DATA_DIR=DIR
build_postfix_discard_table.py\` (it reads only the files whose mtime is inside its
30-day window, and only their last line); medians, RSS the median of the runs' peaks.
Ours reads the journal's days of the policy's look-back, never a domain file: the
recent ones first, which name the addresses that can be on the map, then the older ones
for those addresses only. "lines" is the map's length (ours counts every record, so
repeat bounces keep an address longer: \`--max-days\`); the bench checks that the
journal's map has as many lines as the full scan's. "readdir + stat" is a
\`readdirSync\` and one \`statSync\` per file in the bench process: the least any
\`table\` that looks at every file's mtime spends.

${table(
	[
		"domain files",
		"inside window",
		"readdir + stat",
		"ours",
		"ours RSS",
		"ours lines",
		"ours first run",
		"original",
		"original RSS",
		"original lines",
		"original/ours",
	],
	rows,
)}

How the time grows (an exponent of 1 is linear):

${growth.join("\n")}
`;
}

// ---- startup options ----

interface Variant {
	readonly name: string;
	readonly flags: readonly string[];
	readonly patches?: readonly Patch[];
	/** Build with a bytecode order recorded by a run of this variant's plain build. */
	readonly ordered?: boolean;
}

const startupWalls = new Map<string, number>();
const startupGone: string[] = [];

async function startupSection(): Promise<string> {
	const shipped = [...SHIPPED_FLAGS];
	const autoload = SHIPPED_FLAGS.filter((f) => f.includes("autoload"));
	const allPatches = [LAZY_INFLATE, SYNC_STDIN, DATE_WITHOUT_ICU];
	const variants: Variant[] = [
		{ name: "--compile only", flags: autoload },
		{ name: "--minify", flags: ["--minify", ...autoload] },
		{ name: "--bytecode", flags: ["--bytecode", ...autoload] },
		{ name: "shipped: --minify --bytecode", flags: shipped },
		{
			name: "shipped + --compile-exec-argv=--smol",
			flags: [...shipped, "--compile-exec-argv=--smol"],
		},
		{
			name: "shipped + --compile-jit-policy=10",
			flags: [...shipped, "--compile-jit-policy=10"],
		},
		{ name: "shipped + --bytecode-order", flags: shipped, ordered: true },
		{
			name: `shipped + ${LAZY_INFLATE.name}`,
			flags: shipped,
			patches: [LAZY_INFLATE],
		},
		{
			name: `+ ${SYNC_STDIN.name}`,
			flags: shipped,
			patches: [LAZY_INFLATE, SYNC_STDIN],
		},
		{
			name: `+ ${DATE_WITHOUT_ICU.name}`,
			flags: shipped,
			patches: allPatches,
		},
		{
			name: "+ all three + jit-policy 10 + bytecode order",
			flags: [...shipped, "--compile-jit-policy=10"],
			patches: allPatches,
			ordered: true,
		},
	];
	const message = typicalDsn(ROOT);
	const built: {
		variant: Variant;
		bin?: string;
		size?: number;
		why?: string;
	}[] = [];
	for (const [i, variant] of variants.entries()) {
		log(`startup: building "${variant.name.trim()}"`);
		const patches = variant.patches ?? [];
		const copy = patchedCopy(bins.snapshot, join(work, `v${i}`), patches);
		// a patch that no longer applies was taken up by the source: only the row
		// that adds it is void, the next ones build without it
		const own = patches.at(-1);
		if (own && copy.missing.includes(own.name)) {
			built.push({ variant, why: "n/a: already in the source" });
			rmSync(copy.root, { recursive: true, force: true });
			continue;
		}
		const bin = join(work, `v${i}.bin`);
		let flags = variant.flags;
		if (variant.ordered) {
			const first = compile(copy.root, "src/cli.ts", flags, bin);
			if (!first.ok) {
				built.push({ variant, why: `build failed: ${first.error}` });
				continue;
			}
			const order = join(work, `v${i}.order`);
			spawnSync(bin, ["ingest", "ORDER", "", dataDir()], {
				input: message,
				env: { PATH: "/usr/bin:/bin", BUN_BYTECODE_ORDER_OUT: order },
			});
			flags = [...flags, `--bytecode-order=${order}`];
		}
		const r = compile(copy.root, "src/cli.ts", flags, bin);
		if (!r.ok) built.push({ variant, why: `build failed: ${r.error}` });
		else built.push({ variant, bin, size: r.bytes });
		rmSync(copy.root, { recursive: true, force: true });
	}
	const runnable = built.filter((b) => b.bin);
	const rounds = quick ? 8 : 25;
	log(`startup: ${runnable.length} variants, ${rounds} rounds`);
	const [f, ...summaries] = await interleaved(
		[
			floor,
			...runnable.map((b) => ({
				argv: [b.bin ?? "", "ingest", "STARTUP", "", dataDir()],
			})),
		],
		message,
		rounds,
	);
	const shippedIndex = runnable.findIndex((b) => b.variant === variants[3]);
	const base = summaries[shippedIndex];
	const rows: string[][] = [
		[
			"floor: console.log, shipped flags",
			bytes(bins.sizes[1]),
			ms(f?.wallMs),
			ms(f?.cpuMs),
			mb(f?.maxRssMb),
			"1.00x",
			"",
		],
	];
	let best: { name: string; wall: number } | undefined;
	for (const b of built) {
		const s = b.bin ? summaries[runnable.indexOf(b)] : undefined;
		if (!s) {
			rows.push([b.variant.name, b.why ?? "n/a", "", "", "", "", ""]);
			continue;
		}
		if (!best || s.wallMs < best.wall)
			best = { name: b.variant.name.trim(), wall: s.wallMs };
		startupWalls.set(b.variant.name.trim(), s.wallMs);
		rows.push([
			b.variant.name,
			bytes(b.size ?? 0),
			ms(s.wallMs),
			ms(s.cpuMs),
			mb(s.maxRssMb),
			ratio(s.wallMs, f?.wallMs),
			ratio(s.wallMs, base?.wallMs),
		]);
	}
	if (best && f) headline.bestVariant = { ...best, floor: f.wallMs };
	for (const b of built)
		if (!b.bin && b.why?.startsWith("n/a"))
			startupGone.push(b.variant.name.trim());
	return `## startup options

\`ingest\` of the typical Postfix DSN, ${rounds} interleaved rounds, by how the binary is built.
The patched rows build a temporary copy of src/ (and of postal-mime) with one change each,
cumulative; "n/a: already in the source" means the source no longer has what the patch
replaces (the next rows build without it). A bytecode order is recorded by one run of that build on the same DSN
(\`BUN_BYTECODE_ORDER_OUT\`), then built again with \`--bytecode-order\`.

${table(
	["build", "binary", "wall", "CPU", "RSS", "vs floor", "vs shipped"],
	rows,
)}
`;
}

// ---- run ----

try {
	if (only.has("ingest")) out.push(await ingestSection());
	if (only.has("throughput")) out.push(await throughputSection());
	if (only.has("table")) out.push(await tableSection());
	if (only.has("startup")) out.push(await startupSection());
} finally {
	rmSync(work, { recursive: true, force: true });
}

const [hf, ho] = headline.typicalVsFloor ?? [];
const ingestRatio = hf && ho ? ho.wallMs / hf.wallMs : undefined;
const met = (ok: boolean | undefined) =>
	ok === undefined ? "not measured" : ok ? "**met**" : "**not met**";
const table100k = headline.table100k;
const summary = `## Targets

${table(
	["target", "measured", ""],
	[
		[
			"ingest of a typical DSN within 2x of the floor (wall; issue 15)",
			ingestRatio === undefined
				? "n/a"
				: `${ingestRatio.toFixed(2)}x (${ms(ho?.wallMs)} vs ${ms(hf?.wallMs)})`,
			met(ingestRatio === undefined ? undefined : ingestRatio <= 2),
		],
		[
			"table at 100k domain files at least 5x faster than the original",
			table100k === undefined
				? "n/a"
				: table100k >= 1
					? `${table100k.toFixed(2)}x faster`
					: `${(1 / table100k).toFixed(2)}x slower (original/ours ${table100k.toFixed(2)})`,
			met(table100k === undefined ? undefined : table100k >= 5),
		],
		[
			"table at 100k domain files: peak memory at most 64 MiB",
			headline.table100kRss === undefined ? "n/a" : mb(headline.table100kRss),
			met(
				headline.table100kRss === undefined
					? undefined
					: headline.table100kRss <= 64,
			),
		],
		[
			"table at 1M domain files in at most 2 s",
			headline.table1m === undefined ? "n/a" : ms(headline.table1m),
			met(
				headline.table1m === undefined ? undefined : headline.table1m <= 2000,
			),
		],
		[
			"(for reference) ingest of a typical DSN against the original",
			headline.typicalVsOriginal === undefined
				? "n/a"
				: `${headline.typicalVsOriginal.toFixed(2)}x faster`,
			"",
		],
		[
			"(for reference) fastest startup option measured",
			headline.bestVariant
				? `${ratio(headline.bestVariant.wall, headline.bestVariant.floor)} of the floor: ${headline.bestVariant.name}`
				: "n/a",
			"",
		],
	],
)}
`;

/** What stands in the way of the targets, from this run's figures. */
function notes(): string {
	const out: string[] = [];
	const wall = (name: string) => startupWalls.get(name);
	const shipped = wall("shipped: --minify --bytecode");
	// a row void because its change is in the source already: compare with shipped
	const step = (from: string, to: string) => {
		const a = wall(from) ?? shipped;
		const b = wall(to);
		return a !== undefined && b !== undefined ? ms(a - b) : "n/a";
	};
	if (ingestRatio !== undefined && ingestRatio > 1.5) {
		out.push(
			`- **ingest vs the floor (${ingestRatio.toFixed(2)}x).** The floor is Bun's own start; ours adds loading and running its code in a cold VM. Measured causes, each a row of the startup table (gain in wall time):`,
		);
		const lazy = `+ ${LAZY_INFLATE.name}`;
		const causes: [string, string, string][] = [
			[
				`shipped ${lazy}`,
				"shipped: --minify --bytecode",
				"src/report/attachment.ts imports `node:zlib` and `fflate` at startup, though only a report without a usable Subject or file name needs them: load them on first use",
			],
			[
				`+ ${SYNC_STDIN.name}`,
				`shipped ${lazy}`,
				"reading stdin through the `process.stdin` stream sets up Node's stream machinery: a `fs.readSync(0, ...)` loop reads the same bytes",
			],
			[
				`+ ${DATE_WITHOUT_ICU.name}`,
				`+ ${SYNC_STDIN.name}`,
				"postal-mime tests every `Date:` header with `date.toString() === 'Invalid Date'`, which loads ICU's time zone names; `Number.isNaN(date.getTime())` says the same (a `bun patch` of postal-mime, or upstream)",
			],
			[
				"shipped + --compile-jit-policy=10",
				"shipped: --minify --bytecode",
				"`--compile-jit-policy=10` keeps run-once code in the interpreter instead of compiling it",
			],
			[
				"shipped + --bytecode-order",
				"shipped: --minify --bytecode",
				"`--bytecode-order` lays out the bytecode a run used first",
			],
		];
		for (const [to, from, text] of causes)
			if (wall(to) !== undefined) out.push(`  - ${text}: ${step(from, to)}.`);
		for (const gone of startupGone)
			out.push(`  - (${gone}: already in the source.)`);
		const best = headline.bestVariant;
		if (best)
			out.push(
				`  - With all of them the best build measured is ${ratio(best.wall, best.floor)} the floor (${ms(best.wall)}${shipped ? ` instead of ${ms(shipped)}` : ""}). The rest is parsing the MIME structure and running the detectors in a cold VM: reaching 2x (${ms(best.floor * 2)}) would leave about ${ms(best.floor)} for reading, parsing and deciding, which a JavaScript MIME parser's first run does not fit in.`,
			);
	}
	const slow100k = headline.table100k !== undefined && headline.table100k < 5;
	const slow1m = headline.table1m !== undefined && headline.table1m > 2000;
	if (slow100k || slow1m)
		out.push(
			`- **table's time${slow100k ? ` at 100k (${headline.table100k?.toFixed(2)}x the original's speed)` : ""}${slow1m ? ` at 1M (${ms(headline.table1m)})` : ""}.** It no longer visits the domain files${headline.table100kFloor === undefined ? "" : ` (a readdir and a stat of each would alone take 1/${headline.table100kFloor.toFixed(1)} of the original's time at 100k)`}: it reads the journal's days of the look-back, and its cost grows with the addresses that bounced in the last \`--max-days\` (their failures, then their older history), which the bench's data dirs make about a third of all. What is left is work per journal line and per address, in JavaScript: each recent line's address and report domain looked up by their bytes and checked once per distinct one (src/state/journal.ts, src/table/failure-store.ts: a failure is a row of typed columns, and a string is made only for what goes on the map), each older line's address looked up from the line's end, each address's episodes read off the columns (src/table/evaluate.ts), each map line formatted (src/table/render.ts), and a cold VM: the same work runs about twice as fast in a second pass in the same process, once the JIT has compiled it. Profile with \`bun --cpu-prof src/cli.ts table --now <date> DIR\`.`,
		);
	const rss100k = headline.table100kRss;
	if (rss100k !== undefined && rss100k > 64) {
		out.push(
			`- **table's peak memory at 100k (${mb(rss100k)}).** \`table\` on an empty data dir already peaks at ${mb(headline.tableEmptyRss)} (\`--version\` alone, the binary started with its bundle initialised: ${mb(headline.versionRss)}), which leaves ${mb(64 - (headline.tableEmptyRss ?? 0))} for everything the data dir brings. ${headline.table100kNoJitRss === undefined ? "" : `The same run at 100k with JavaScriptCore's JIT off (\`BUN_JSC_useJIT=0\`, a diagnosis only: it is several times slower) peaks at ${mb(headline.table100kNoJitRss)}: the JIT's compiled code, its compiler threads and the faster allocation it allows cost ${mb(rss100k - headline.table100kNoJitRss)}. `}The rest is the data: the typed columns of the failures of the addresses that bounced in the last \`--max-days\` and their older history (src/table/failure-store.ts, with the bytes of each distinct address and report domain), the map's entries and lines (written out in pieces of 1024 lines), and what the collector has not reclaimed before the peak.${headline.table100kNoJitRss !== undefined && headline.table100kNoJitRss <= 64 ? " Without the JIT the run stays within the target, but JavaScriptCore reads its JIT options only from the environment, before any of our code runs, and a compiled binary cannot carry them (`compile.execArgv` takes Bun's own flags only; the JIT policy scales tier-up thresholds and measured no lower peak)." : ""}`,
		);
	}
	return out.length === 0
		? ""
		: `## What stands in the way

${out.join("\n")}
`;
}

const doc = `# Benchmarks

Generated by \`npm run bench\` (scripts/bench.ts)${quick ? " with --quick" : ""}; do not edit by hand.
Ratios come from programs measured side by side in the same run, so they hold on a noisy
machine better than the absolute times do.

${table(
	["machine", ""],
	[
		["date", host.date],
		["CPUs (nproc)", `${host.cpus}`],
		["CPU model", host.cpu],
		["memory", host.memory],
		["kernel", host.kernel],
		["Bun", host.bun],
		["original tool", host.python],
		["load average at start / end", `${host.loadStart} / ${loadNow()}`],
		["ours", `\`scripts/build.ts\` of ${measured} (${bytes(bins.sizes[0])})`],
		[
			"floor",
			`\`console.log("ok")\` built with the same flags (${bytes(bins.sizes[1])})`,
		],
	],
)}

${summary}
${notes()}
${out.join("\n")}`;

console.log(`\n${doc}`);
/**
 * The sections other benchmarks write into BENCHMARKS.md (hostile inputs, the ingest
 * breakdown), each between `<!-- section:NAME -->` and `<!-- /section:NAME -->`: kept
 * as they are, after what this run generates.
 */
function keptSections(previous: string): string[] {
	return [
		...previous.matchAll(
			/<!-- section:([\w.-]+) -->[\s\S]*?<!-- \/section:\1 -->/g,
		),
	].map((m) => m[0]);
}

if (write) {
	const file = values.out ?? join(ROOT, "BENCHMARKS.md");
	const kept = existsSync(file) ? keptSections(readFileSync(file, "utf8")) : [];
	writeFileSync(
		file,
		kept.length === 0 ? doc : `${doc}\n${kept.join("\n\n")}\n`,
	);
	// the project's formatter has the last word on the layout (npm run check)
	spawnSync(
		join(ROOT, "node_modules", ".bin", "biome"),
		["format", "--write", file],
		{
			stdio: "ignore",
		},
	);
	log(`wrote ${values.out}`);
} else log("BENCHMARKS.md not written (partial or quick run)");
