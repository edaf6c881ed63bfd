// bun scripts/bench/ingest-profile.ts [--rounds N] [--write]
//
// Where the milliseconds of one `ingest` go (issue 15 item 3). Builds three binaries with
// scripts/build.ts' settings: the floor (a program that prints one line), ours
// (src/cli.ts), and a profile build that runs the steps of `ingest` one by one with a
// clock reading between them. Runs floor, ours and the profile build in turns on the
// typical Postfix DSN and prints medians: wall, CPU and peak RSS of floor and ours, the
// profile's steps, and what the profile cannot see (exec, the runtime's own start and
// exit) as ours' wall minus the steps. The profile also reports, from /proc/self/smaps,
// which memory its RSS is: the binary's pages (code and data) and anonymous memory (the
// JavaScript heap, malloc).
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
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { build } from "../build.ts";
import { interleaved, median } from "./measure.ts";
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

// The first module of the bundle: its clock reading is when JavaScript starts.
const START = `export const started = performance.now();\n`;

const src = (path: string) => JSON.stringify(join(ROOT, "src", path));

/** The steps of `ingest` (src/commands/ingest.ts, src/decide.ts), timed one by one. */
const PROFILE = `import { started } from "./start.ts";
import { memory } from "./smaps.ts";
// what src/cli.ts loads: both commands (and citty through them)
import ${src("commands/table.ts")};
import { ingest } from ${src("commands/ingest.ts")};
import { decide } from ${src("decide.ts")};
import { detect } from ${src("detect/index.ts")};
import { parseMessage, returnedOriginal } from ${src("mail/message.ts")};
import { readStdin } from ${src("mail/stdin.ts")};
import { findReportDomain } from ${src("report/index.ts")};
import { prepareDataDir } from ${src("state/data-dir.ts")};
import { recordFailures } from ${src("state/store.ts")};

const marks = [["process start to the first line of JavaScript", started], ["loading our code (module bodies)", performance.now()]];
const mark = (name) => marks.push([name, performance.now()]);
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
	const again = performance.now();
	const decision = await decide(input.bytes, "");
	const skipped = performance.now() - again;
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
			const [name, at] = marks[i];
			let ms = at - (i === 0 ? 0 : marks[i - 1][1]);
			// decide() ran once more to get a Decision to write: not part of a real run
			if (name === "record write") ms -= skipped;
			steps.push([name, ms]);
		}
		console.error(JSON.stringify({ steps, memory: memory(process.execPath) }));
	});
});
`;

const FLOOR = `console.log("ok");\n`;
const FLOOR_MEMORY = `import { memory } from "./smaps.ts";
console.log("ok");
console.error(JSON.stringify({ memory: memory(process.execPath) }));
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
log(`${rounds} rounds of floor, ours, profile`);
// one fresh data dir per command: each run appends one record, as a real one does
const [floor, ours] = await interleaved(
	[
		{ argv: [bins.floor] },
		{ argv: [bins.ours, "ingest", "PROFILE", "", dataDir()] },
	],
	input,
	rounds,
	{ warmup: 2 },
);
if (!floor || !ours || floor.failures + ours.failures > 0)
	throw new Error("floor or ours failed");

interface Profile {
	steps: [string, number][];
	memory: { binary: number; anonymous: number; other: number };
}
const profiles: Profile[] = [];
const floorMemory: Profile["memory"][] = [];
for (let i = 0; i < rounds; i++) {
	const p = Bun.spawnSync([bins.profile, dataDir()], {
		stdin: input,
		env: { PATH: "/usr/bin:/bin", LANG: "C" },
	});
	profiles.push(
		JSON.parse(p.stderr.toString().trim().split("\n").at(-1) ?? ""),
	);
	const f = Bun.spawnSync([bins.floorMemory], {
		env: { PATH: "/usr/bin:/bin" },
	});
	floorMemory.push(JSON.parse(f.stderr.toString().trim()).memory);
}
rmSync(work, { recursive: true, force: true });

const names = profiles[0]?.steps.map(([name]) => name) ?? [];
const stepMs = names.map((_, i) =>
	median(profiles.map((p) => p.steps[i]?.[1] ?? Number.NaN)),
);
const inside = stepMs.reduce((a, b) => a + b, 0);
const outside = ours.wallMs - inside;
const f2 = (v: number) => v.toFixed(2);
const mib = (kib: number) => (kib / 1024).toFixed(1);
const memoryOf = (list: Profile["memory"][], key: keyof Profile["memory"]) =>
	median(list.map((m) => m[key]));

const headline = table(
	["", "floor", "ours", "ours/floor"],
	[
		[
			"wall (median)",
			`${f2(floor.wallMs)} ms`,
			`${f2(ours.wallMs)} ms`,
			ratio(ours.wallMs, floor.wallMs),
		],
		[
			"CPU, user+system",
			`${f2(floor.cpuMs)} ms`,
			`${f2(ours.cpuMs)} ms`,
			ratio(ours.cpuMs, floor.cpuMs),
		],
		[
			"peak RSS",
			`${floor.maxRssMb.toFixed(1)} MiB`,
			`${ours.maxRssMb.toFixed(1)} MiB`,
			ratio(ours.maxRssMb, floor.maxRssMb),
		],
	],
);
const steps = table(
	["step", "ms (median)", "share of ours' wall"],
	[
		...names.map((name, i) => [
			name,
			f2(stepMs[i] ?? Number.NaN),
			`${(((stepMs[i] ?? 0) / ours.wallMs) * 100).toFixed(0)}%`,
		]),
		[
			"outside JavaScript: exec, mapping the binary, the runtime's exit (ours' wall minus the steps)",
			f2(outside),
			`${((outside / ours.wallMs) * 100).toFixed(0)}%`,
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
		`${mib(
			memoryOf(
				profiles.map((p) => p.memory),
				key,
			),
		)} MiB`,
	]),
);

const section = `## ingest: where the time goes

Generated by \`bun scripts/bench/ingest-profile.ts --write\` (${new Date().toISOString().slice(0, 10)}, ${rounds} interleaved rounds).
The typical Postfix DSN (test/fixtures/postfix-01.eml, 2.3 KB) on stdin; the floor is
\`console.log("ok")\` and ours is src/cli.ts, both built by scripts/build.ts with the same
settings. Wall is spawn to exit; CPU is the child's user+system time; RSS is its peak
(GNU time, 3 more rounds).

${headline}

The steps, from a build that runs \`ingest\`'s steps one by one with a clock reading between
them (medians of ${rounds} runs):

${steps}

${memory}
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
