// bun scripts/bench/ingest-profile.ts [--rounds N] [--write]
//
// Where the milliseconds of one `ingest` go (issue 15 item 3). Builds three binaries with
// scripts/build.ts' settings: the floor (a program that prints one line), ours
// (src/cli.ts), and a profile build that runs the steps of `ingest` one by one with a
// clock reading between them. Runs floor, ours and the profile build in turns on the
// typical Postfix DSN and prints medians: wall, CPU and peak RSS of floor and ours, the
// profile's steps, and what the profile cannot see (exec, the runtime's own start and
// exit) as the profile build's wall minus its steps. In 5 more runs the profile reports,
// from /proc/self/smaps, which memory its RSS is: the binary's pages (code and data) and
// anonymous memory (the JavaScript heap, malloc). Then builds that load one module each
// (node:fs, citty, postal-mime, ...) show what loading it costs on its own.
//
// --write puts the result into BENCHMARKS.md between `<!-- section:ingest -->` and
// `<!-- /section:ingest -->` (scripts/bench.ts keeps marked sections).
import {
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { build, JIT_POLICY } from "../build.ts";
import { type Command, measure, median, type Sample } from "./measure.ts";
import { typicalDsn } from "./messages.ts";
import { ratio, table } from "./report.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const { values } = parseArgs({
	options: {
		rounds: { type: "string", default: "20" },
		write: { type: "boolean", default: false },
	},
});
const rounds = Number(values.rounds);
const work = mkdtempSync(join(tmpdir(), "ddp-ingest-profile-"));
const log = (line: string) => console.error(`ingest-profile: ${line}`);

/** Reads /proc/self/smaps into the memory classes the report names (KiB). */
const SMAPS = `
export function memory(binary) {
	const out = { binary: 0, anonymous: 0, other: 0 };
	let into = "other";
	for (const line of require("node:fs").readFileSync("/proc/self/smaps", "utf8").split("\\n")) {
		const head = /^[0-9a-f]+-[0-9a-f]+ \\S+ \\S+ \\S+ \\S+\\s*(.*)$/.exec(line);
		if (head) into = head[1] === binary ? "binary" : head[1] === "" || head[1] === "[heap]" ? "anonymous" : "other";
		else if (line.startsWith("Rss:")) out[into] += Number(line.split(/\\s+/)[1]);
	}
	return out;
}
`;

// The first module of the bundle: its clock readings are when JavaScript starts. The
// CPU time counts from the process' start (exec, the runtime, loading the bundle).
const START = `export const started = performance.now();
export const startedCpu = process.cpuUsage();
`;

const src = (path: string) => JSON.stringify(join(ROOT, "src", path));

/** The steps of `ingest` (src/commands/ingest.ts, src/decide.ts), timed one by one. */
const PROFILE = `import { started, startedCpu } from "./start.ts";
import { memory } from "./smaps.ts";
// what src/cli.ts loads for ingest: the command line layer and the ingest command (the
// table command and citty load only for help and table)
import ${src("cli/strict.ts")};
import ${src("cli/terminal.ts")};
import ${src("cli/usage.ts")};
import { ingest } from ${src("commands/ingest.ts")};
import { decide } from ${src("decide.ts")};
import { detect } from ${src("detect/index.ts")};
import { parseMessage, returnedOriginal } from ${src("mail/message.ts")};
import { readStdin } from ${src("mail/stdin.ts")};
import { findReportDomain } from ${src("report/index.ts")};
import { prepareDataDir } from ${src("state/data-dir.ts")};
import { recordFailures } from ${src("state/store.ts")};

const cpu = (usage = process.cpuUsage()) => (usage.user + usage.system) / 1000;
const marks = [["process start to the first line of JavaScript", started, cpu(startedCpu)]];
const mark = (name) => marks.push([name, performance.now(), cpu()]);
mark("loading our code (module bodies)");
void ingest;
async function run(dir) {
	prepareDataDir(dir);
	mark("data dir check");
	const input = await readStdin(20 * 1024 * 1024);
	mark("reading stdin");
	const message = await parseMessage(input.bytes);
	mark("MIME parse of the DSN");
	detect(message);
	mark("detectors");
	await returnedOriginal(message);
	mark("MIME parse of the returned original");
	const found = await findReportDomain(message, input.bytes);
	mark("report domain readers");
	const again = [performance.now(), cpu()];
	const decision = await decide(input.bytes, "");
	const skipped = [performance.now() - again[0], cpu() - again[1]];
	recordFailures(dir, decision, "PROFILE", new Date());
	mark("record write");
	console.log("recorded " + (found && found.domain));
	mark("summary line");
	return skipped;
}
run(process.argv[2]).then((skipped) => {
	process.on("exit", () => {
		mark("to the exit event");
		const steps = [];
		for (let i = 0; i < marks.length; i++) {
			const [name, at, used] = marks[i];
			let ms = at - (i === 0 ? 0 : marks[i - 1][1]);
			let cpuMs = used - (i === 0 ? 0 : marks[i - 1][2]);
			// decide() ran once more to get a Decision to write: not part of a real run
			if (name === "record write") {
				ms -= skipped[0];
				cpuMs -= skipped[1];
			}
			steps.push([name, ms, cpuMs]);
		}
		// reading smaps takes time: only in the memory rounds (PROFILE_MEMORY=1)
		const resident = process.env.PROFILE_MEMORY ? memory(process.execPath) : null;
		require("node:fs").writeSync(1, "\\n" + JSON.stringify({ steps, memory: resident }) + "\\n");
	});
});
`;

const FLOOR = `console.log("ok");\n`;
const FLOOR_MEMORY = `import { memory } from "./smaps.ts";
console.log("ok");
require("node:fs").writeSync(1, JSON.stringify({ memory: memory(process.execPath) }) + "\\n");
`;

mkdirSync(join(work, "entries"));
const entry = (name: string, text: string) => {
	const path = join(work, "entries", name);
	writeFileSync(path, text);
	return path;
};
entry("smaps.ts", SMAPS);
entry("start.ts", START);
const bins = {
	floor: join(work, "floor"),
	floorMemory: join(work, "floor-memory"),
	ours: join(work, "ours"),
	profile: join(work, "profile"),
};
const entries: [string, string][] = [
	[entry("floor.ts", FLOOR), bins.floor],
	[entry("floor-memory.ts", FLOOR_MEMORY), bins.floorMemory],
	[join(ROOT, "src", "cli.ts"), bins.ours],
	[entry("profile.ts", PROFILE), bins.profile],
];
for (const [from, outfile] of entries) {
	log(`building ${outfile}`);
	if (!(await build({ entry: from, outfile, commit: "profile" })))
		throw new Error(`build of ${from} failed`);
}

let serial = 0;
const dataDir = () => {
	const dir = join(work, `data-${serial++}`);
	mkdirSync(dir);
	return dir;
};
const input = typicalDsn(ROOT);
interface Profile {
	/** name, wall ms, CPU ms */
	steps: [string, number, number][];
	memory: { binary: number; anonymous: number; other: number };
}
const lastLine = (stdout: string) =>
	JSON.parse(stdout.trim().split("\n").at(-1) ?? "");

log(`${rounds} rounds of floor, ours, profile`);
const commands: Command[] = [
	{ argv: [bins.floor] },
	// one data dir each: every run appends one record, as a real one does
	{ argv: [bins.ours, "ingest", "PROFILE", "", dataDir()] },
	{ argv: [bins.profile, dataDir()] },
	// what JavaScriptCore's JIT costs us: an option no compiled binary can set for itself
	{
		argv: [bins.ours, "ingest", "PROFILE", "", dataDir()],
		env: { BUN_JSC_useJIT: "0" },
	},
];
const samples: Sample[][] = commands.map(() => []);
const profiles: Profile[] = [];
for (let round = -2; round < rounds; round++) {
	for (const [i, command] of commands.entries()) {
		const sample = await measure(command, input);
		if (sample.exitCode !== 0) throw new Error(`${command.argv[0]} failed`);
		if (round < 0) continue;
		samples[i]?.push(sample);
		if (i === 2) profiles.push(lastLine(sample.stdout));
	}
}
const rss: number[][] = [[], [], [], []];
for (let round = 0; round < 3; round++)
	for (const i of [0, 1, 3]) {
		const sample = await measure(commands[i] as Command, input, 60_000, true);
		rss[i]?.push(sample.maxRssMb);
	}
const [floor, ours, profiled, noJit] = samples.map((list, i) => ({
	wallMs: median(list.map((s) => s.wallMs)),
	cpuMs: median(list.map((s) => s.cpuMs)),
	maxRssMb: median(rss[i] ?? []),
}));
if (!floor || !ours || !profiled || !noJit) throw new Error("nothing measured");
const floorMemory: Profile["memory"][] = [];
const profileMemory: Profile["memory"][] = [];
for (let i = 0; i < 5; i++) {
	floorMemory.push(
		lastLine((await measure({ argv: [bins.floorMemory] }, null)).stdout).memory,
	);
	const memoryRun = {
		...(commands[2] as Command),
		env: { PROFILE_MEMORY: "1" },
	};
	profileMemory.push(lastLine((await measure(memoryRun, input)).stdout).memory);
}

// What loading one module costs on its own: a build that imports it and nothing else.
const PROBES: [string, string][] = [
	["node:fs (reading stdin, the data dir)", "node:fs"],
	["node:path (the data dir)", "node:path"],
	["node:tty (isatty: only with a character device on stdin)", "node:tty"],
	["node:util (citty's parseArgs: help and table only)", "node:util"],
	[
		"citty (help and table only)",
		join(ROOT, "node_modules", "citty", "dist", "index.mjs"),
	],
	[
		"postal-mime (module bodies only)",
		join(ROOT, "node_modules", "postal-mime", "dist", "esm", "postal-mime.js"),
	],
	["node:crypto (DKIM, loaded only with DKIM options)", "node:crypto"],
];
const probeBins: string[] = [];
for (const [i, [, spec]] of PROBES.entries()) {
	const bin = join(work, `probe-${i}`);
	const file = entry(
		`probe-${i}.ts`,
		// a dynamic import: a static one of a built-in module is loaded before the bundle's
		// first line runs (ESM chunks, scripts/build.ts), outside the clock
		`import { started } from "./start.ts";
import(${JSON.stringify(spec)}).then((probed) => {
	(globalThis as { probed?: unknown }).probed = probed;
	console.log(JSON.stringify({ ms: performance.now() - started }));
});
`,
	);
	if (!(await build({ entry: file, outfile: bin, commit: "probe" })))
		throw new Error(`build of probe ${spec} failed`);
	probeBins.push(bin);
}
log("probes");
const probeRounds = Math.max(5, rounds >> 1);
const probeMs: number[][] = PROBES.map(() => []);
const probeRss: number[][] = PROBES.map(() => []);
for (let round = 0; round < probeRounds; round++)
	for (const [i, bin] of probeBins.entries()) {
		const rssRound = round < 3;
		const sample = await measure({ argv: [bin] }, null, 60_000, rssRound);
		if (rssRound) probeRss[i]?.push(sample.maxRssMb);
		else probeMs[i]?.push(lastLine(sample.stdout).ms);
	}
rmSync(work, { recursive: true, force: true });

const names = profiles[0]?.steps.map(([name]) => name) ?? [];
const stepMs = names.map((_, i) =>
	median(profiles.map((p) => p.steps[i]?.[1] ?? Number.NaN)),
);
const stepCpu = names.map((_, i) =>
	median(profiles.map((p) => p.steps[i]?.[2] ?? Number.NaN)),
);
const inside = stepMs.reduce((a, b) => a + b, 0);
const insideCpu = stepCpu.reduce((a, b) => a + b, 0);
// the profile build's own wall: its steps and what it cannot see add up to it
const outside = profiled.wallMs - inside;
const f2 = (v: number) => v.toFixed(2);
const mib = (kib: number) => (kib / 1024).toFixed(1);
const memoryOf = (list: Profile["memory"][], key: keyof Profile["memory"]) =>
	median(list.map((m) => m[key]));

const share = (v: number) => `${((v / profiled.wallMs) * 100).toFixed(0)}%`;
const shareCpu = (v: number) => `${((v / profiled.cpuMs) * 100).toFixed(0)}%`;
const headline = table(
	["", "floor", "ours", "ours/floor", "target"],
	[
		[
			"wall (median)",
			`${f2(floor.wallMs)} ms`,
			`${f2(ours.wallMs)} ms`,
			ratio(ours.wallMs, floor.wallMs),
			`2x: ${f2(floor.wallMs * 2)} ms, ${ours.wallMs <= floor.wallMs * 2 ? "met" : "**not met**"}`,
		],
		[
			"CPU, user+system (median)",
			`${f2(floor.cpuMs)} ms`,
			`${f2(ours.cpuMs)} ms`,
			ratio(ours.cpuMs, floor.cpuMs),
			"",
		],
		[
			"peak RSS (median of 3)",
			`${floor.maxRssMb.toFixed(1)} MiB`,
			`${ours.maxRssMb.toFixed(1)} MiB`,
			ratio(ours.maxRssMb, floor.maxRssMb),
			`32 MiB, ${ours.maxRssMb <= 32 ? "met" : "**not met**"}`,
		],
		[
			"ours with BUN_JSC_useJIT=0: wall, CPU, peak RSS",
			"",
			`${f2(noJit.wallMs)} ms, ${f2(noJit.cpuMs)} ms, ${noJit.maxRssMb.toFixed(1)} MiB`,
			ratio(noJit.wallMs, floor.wallMs),
			"(not settable in the binary)",
		],
	],
);
const cliLayer = ours.wallMs - profiled.wallMs;
const outsideCpu = profiled.cpuMs - insideCpu;
const steps = table(
	["step", "wall ms", "share of wall", "CPU ms", "share of CPU"],
	[
		...names.map((name, i) => [
			name,
			f2(stepMs[i] ?? Number.NaN),
			share(stepMs[i] ?? 0),
			f2(stepCpu[i] ?? Number.NaN),
			shareCpu(stepCpu[i] ?? 0),
		]),
		[
			"outside the steps: exec and the runtime's start before its clock, the runtime's exit (the profile build's wall or CPU minus its steps)",
			f2(outside),
			share(outside),
			f2(outsideCpu),
			shareCpu(outsideCpu),
		],
		[
			"the profile build, whole run",
			f2(profiled.wallMs),
			"100%",
			f2(profiled.cpuMs),
			"100%",
		],
		[
			"(ours minus the profile build: the command line layer and the deadline timer, less what the profile build adds: its clock readings, a second decide(), bytecode outside the layout profile)",
			f2(cliLayer),
			"",
			f2(ours.cpuMs - profiled.cpuMs),
			"",
		],
	],
);
const memory = table(
	["resident at exit", "floor", "ours (profile build)"],
	(["binary", "anonymous", "other"] as const).map((key) => [
		{
			binary: "the binary's pages (Bun's code and data, our bytecode)",
			anonymous: "anonymous (JavaScript heap, malloc)",
			other: "shared libraries, stack",
		}[key],
		`${mib(memoryOf(floorMemory, key))} MiB`,
		`${mib(memoryOf(profileMemory, key))} MiB`,
	]),
);
const probes = table(
	[
		"module, loaded alone",
		"ms to load (median)",
		"peak RSS",
		"RSS over the floor",
	],
	PROBES.map(([name], i) => {
		const peak = median(probeRss[i] ?? []);
		return [
			name,
			f2(median(probeMs[i] ?? [])),
			`${peak.toFixed(1)} MiB`,
			`+${(peak - floor.maxRssMb).toFixed(1)} MiB`,
		];
	}),
);
const stepCpuOf = (prefix: string) =>
	names.reduce(
		(sum, name, i) => (name.startsWith(prefix) ? sum + (stepCpu[i] ?? 0) : sum),
		0,
	);
const budget = floor.cpuMs * 0.25;
const probeIndex = (prefix: string) =>
	PROBES.findIndex(([name]) => name.startsWith(prefix));
const probeOf = (prefix: string) => median(probeMs[probeIndex(prefix)] ?? []);
const probeRssOf = (prefix: string) =>
	median(probeRss[probeIndex(prefix)] ?? []);
const parses = stepCpuOf("MIME parse");
const loading = stepCpuOf("loading our code");
const firstLine = stepCpuOf("process start");
const binaryMiB =
	(memoryOf(profileMemory, "binary") - memoryOf(floorMemory, "binary")) / 1024;

const section = `## ingest: where the time goes

Generated by \`bun scripts/bench/ingest-profile.ts --write\` (${new Date().toISOString().slice(0, 16)}Z, ${rounds} interleaved rounds, load average ${loadavg()
	.map((l) => l.toFixed(2))
	.join(" ")} at the end).
The typical Postfix DSN (test/fixtures/postfix-01.eml, 2.3 KB) on stdin; the floor is
\`console.log("ok")\` and ours is src/cli.ts, both built by scripts/build.ts with the same
settings (\`--minify --bytecode\`, the bytecode laid out by
scripts/bench/ingest-bytecode-order.txt, JIT policy ${JIT_POLICY}, no .env or bunfig.toml). Wall is
spawn to exit; CPU is the child's user+system time; RSS is its peak (GNU time, 3 more
rounds). On a loaded machine the ratios hold better than the times. Peak RSS counts the
binary's pages mapped from the page cache, so it depends on the binary file's history
there (the same floor binary measured 20.4 MiB after an hour on disk, 24.8 MiB as a fresh
copy): compare binaries written the same way, as here (all built by this run).

${headline}

The steps, from a build that runs \`ingest\`'s steps one by one with a clock reading between
them (run in the same rounds; medians):

${steps}

${memory}

What loading one module costs on its own (a build that imports only it; time from the first
line of JavaScript to after the import):

${probes}

What stands in the way of 1.25x the floor, in CPU time (the figure a loaded machine does not
distort): it leaves ${f2(budget)} ms for everything ours does beyond printing a line. The profile
build spends ${f2(firstLine)} ms of CPU before its first line of JavaScript (exec, the
runtime's start, the built-in modules the entry chunk imports, node:fs first, and its
bytecode, about 120 KB where the floor's is a few bytes: the table command, citty and DKIM
are chunks of their own; the floor's whole run is ${f2(floor.cpuMs)} ms), ${f2(loading)} ms loading
module bodies (node:fs, loaded alone, takes ${f2(probeOf("node:fs"))} ms of wall time),
${f2(parses)} ms in the MIME parser's first two runs in a cold VM (the DSN and its returned
original), ${f2(stepCpuOf("detectors"))} ms in the detectors, and ${f2(outsideCpu)} ms in the
runtime's exit and what its clock does not see (most of it the kernel tearing down the
pages the run touched). Memory is the other half of the time: the
profile build touches ${binaryMiB.toFixed(1)} MiB more of the binary's pages than the floor
(Bun's native code for the module loader, node:fs, the regular expression engine and its JIT,
TextDecoder, promises: each runtime feature used once costs 0.3 to 1.3 MiB of
code pages) and a larger JavaScript heap, every page a fault. The 32 MiB target
leaves ${(32 - floor.maxRssMb).toFixed(1)} MiB above the floor, and node:fs loaded alone takes
${(probeRssOf("node:fs") - floor.maxRssMb).toFixed(1)} MiB of it; Bun has no lighter file API that also runs
under Node and Deno (its \`process.binding("fs")\` is a stub that throws). JavaScriptCore's
JIT (compiler threads, the regular expression JIT, executable memory) is worth
${f2(ours.cpuMs - noJit.cpuMs)} ms of CPU and ${(ours.maxRssMb - noJit.maxRssMb).toFixed(1)} MiB (the row with
\`BUN_JSC_useJIT=0\` above), but JavaScriptCore reads its options from the environment before
any of our code runs, and a compiled binary can embed only Bun's own flags
(\`compile.execArgv\`, where \`--smol\` changes nothing here) and the JIT policy, which scales
tier-up thresholds and leaves the regular expression JIT on. What is ours to cut is cut: the DSN and its original
are parsed once each, DKIM (node:crypto, node:dns), zlib and the zip reader load only when
used, stdin is read with read(2) without building process.stdin,
postal-mime's Date check no longer loads ICU's time zone names and its HTML entity table
loads on first use, run-once code stays in the interpreter (JIT policy ${JIT_POLICY}), ingest
runs without citty (node:util) and without loading the table command, node:tty loads only
when stdin is a character device (never under Postfix), the table command, citty, DKIM and
the report XML reader are chunks of their own that an ingest never loads (code splitting),
postal-mime (patched while bundling, scripts/build.ts) finds line ends with indexOf, fills
parts without a Blob, computes no field we do not read (addresses, Date) and copies no
header value without a comment, so no function of a typical ingest reaches the JIT (no
compiler thread), an ingest into a data dir in use makes no failed system call (each error
object costs about 0.4 MiB), and the bytecode is laid out by a
profile of a typical ingest (scripts/bench/ingest-order.ts), so a run touches fewer of its
pages. Left to other owners: the first use of the cause patterns (src/policy/cause.ts, three
large case-insensitive alternations) compiles them in about 0.3 ms, and the modules create
their regular expressions at load, at top level (about 430 exist after a typical ingest; 400
literals at top level cost about 0.4 ms in a build of their own). The rest
is the runtime's price for starting JavaScript that reads a file and parses MIME.
`;

console.log(section);
if (values.write) {
	const file = join(ROOT, "BENCHMARKS.md");
	const text = readFileSync(file, "utf8");
	const open = "<!-- section:ingest -->";
	const close = "<!-- /section:ingest -->";
	const block = `${open}\n${section}${close}`;
	const start = text.indexOf(open);
	const end = text.indexOf(close);
	writeFileSync(
		file,
		start >= 0 && end > start
			? text.slice(0, start) + block + text.slice(end + close.length)
			: `${text.trimEnd()}\n\n${block}\n`,
	);
	log(`wrote ${file}`);
}
