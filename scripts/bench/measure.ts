// Process measurements for the benchmarks: wall time from spawn to exit and CPU time
// from the child's rusage; peak RSS from /usr/bin/time (GNU time's %M). The child's own
// ru_maxrss cannot serve: Linux counts the spawning process's memory at exec time into
// it, so every child of a big bench process would look big.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Sample {
	readonly wallMs: number;
	readonly cpuMs: number;
	/** NaN when not measured. */
	readonly maxRssMb: number;
	readonly exitCode: number | null;
	readonly stdout: string;
	/** Killed at the time limit. */
	readonly timedOut: boolean;
}

export interface Command {
	readonly argv: readonly string[];
	readonly env?: Record<string, string>;
	readonly cwd?: string;
}

const BASE_ENV = { PATH: "/usr/bin:/bin", LANG: "C" };
const TIME = "/usr/bin/time";
export const CAN_MEASURE_RSS = existsSync(TIME);
let serial = 0;

/**
 * Runs `command` with `input` on stdin. With `rss`, through GNU time (and coreutils
 * timeout, so a stopped run leaves no orphan): that adds a fork and an exec to the
 * wall time, so RSS rounds are kept apart from the timed ones.
 */
export async function measure(
	command: Command,
	input: Uint8Array | null,
	timeoutMs = 600_000,
	rss = false,
): Promise<Sample> {
	const wrapped = rss && CAN_MEASURE_RSS;
	const report = join(tmpdir(), `ddp-bench-time-${process.pid}-${serial++}`);
	const argv = wrapped
		? [
				TIME,
				"-f",
				"%M",
				"-o",
				report,
				"timeout",
				"-s",
				"KILL",
				`${Math.ceil(timeoutMs / 1000)}`,
				...command.argv,
			]
		: [...command.argv];
	const started = performance.now();
	const child = Bun.spawn(argv, {
		stdin: input ?? "ignore",
		stdout: "pipe",
		stderr: "ignore",
		env: { ...BASE_ENV, ...command.env },
		...(command.cwd === undefined ? {} : { cwd: command.cwd }),
	});
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		child.kill("SIGKILL");
	}, timeoutMs + 5000);
	const stdout = await new Response(child.stdout).text();
	const exitCode = await child.exited;
	const wallMs = performance.now() - started;
	clearTimeout(timer);
	const usage = child.resourceUsage();
	let maxRssMb = Number.NaN;
	if (wrapped) {
		try {
			const lines = readFileSync(report, "utf8").trim().split("\n");
			maxRssMb = Number(lines[lines.length - 1]) / 1024;
		} catch {
			// killed before time wrote its report
		}
		rmSync(report, { force: true });
		if (exitCode === 137 && wallMs >= timeoutMs) timedOut = true;
	}
	return {
		wallMs,
		cpuMs: usage ? Number(usage.cpuTime.total) / 1000 : Number.NaN,
		maxRssMb,
		exitCode,
		stdout,
		timedOut,
	};
}

export interface Summary {
	readonly runs: number;
	readonly wallMs: number;
	readonly cpuMs: number;
	readonly maxRssMb: number;
	readonly failures: number;
	readonly timedOut: boolean;
	/** Non-empty lines the last run printed. */
	readonly outputLines: number;
}

export function median(values: readonly number[]): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2
		? (sorted[mid] ?? Number.NaN)
		: ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function summarize(samples: readonly Sample[]): Summary {
	return {
		runs: samples.length,
		wallMs: median(samples.map((s) => s.wallMs)),
		cpuMs: median(samples.map((s) => s.cpuMs)),
		maxRssMb: median(
			samples.map((s) => s.maxRssMb).filter((v) => !Number.isNaN(v)),
		),
		failures: samples.filter((s) => s.exitCode !== 0).length,
		timedOut: samples.some((s) => s.timedOut),
		outputLines: (samples.at(-1)?.stdout ?? "").split("\n").filter(Boolean)
			.length,
	};
}

/**
 * Runs the commands in turns (A B C A B C ...), so a noisy neighbour slows all of
 * them alike and the ratios between them hold. A command that hits the time limit
 * is not run again.
 */
export async function interleaved(
	commands: readonly (Command | null)[],
	input: Uint8Array | null,
	rounds: number,
	options: {
		readonly warmup?: number;
		readonly timeoutMs?: number;
		/** Extra rounds through /usr/bin/time for the peak RSS (default 3). */
		readonly rssRounds?: number;
		/** Every round through /usr/bin/time (long runs, where a fork is noise). */
		readonly rssAlways?: boolean;
	} = {},
): Promise<(Summary | null)[]> {
	const timed: Sample[][] = commands.map(() => []);
	const rss: Sample[][] = commands.map(() => []);
	const warmup = options.warmup ?? 1;
	const stopped = commands.map(() => false);
	const always = options.rssAlways === true;
	const extra = always ? 0 : (options.rssRounds ?? 3);
	for (let round = -warmup; round < rounds + extra; round++) {
		const rssRound = always || round >= rounds;
		for (const [i, command] of commands.entries()) {
			if (!command || stopped[i]) continue;
			const sample = await measure(command, input, options.timeoutMs, rssRound);
			if (sample.timedOut) stopped[i] = true;
			if (round < 0 && !sample.timedOut) continue;
			if (round < rounds) timed[i]?.push(sample);
			if (rssRound) rss[i]?.push(sample);
		}
	}
	return commands.map((c, i) => {
		if (!c) return null;
		const s = summarize(timed[i] ?? []);
		return {
			...s,
			maxRssMb: median(
				(rss[i] ?? []).map((r) => r.maxRssMb).filter((v) => !Number.isNaN(v)),
			),
		};
	});
}

/** Runs every input once through `argvFor`, `jobs` at a time; returns the wall time. */
export async function throughput(
	argvFor: (i: number) => Command,
	inputs: readonly Uint8Array[],
	jobs: number,
): Promise<{ wallMs: number; failures: number; cpuMs: number }> {
	let next = 0;
	let failures = 0;
	let cpuMs = 0;
	const started = performance.now();
	const worker = async () => {
		while (next < inputs.length) {
			const i = next++;
			const sample = await measure(argvFor(i), inputs[i] ?? null);
			cpuMs += sample.cpuMs;
			if (sample.exitCode !== 0) failures++;
		}
	};
	await Promise.all(Array.from({ length: jobs }, worker));
	return { wallMs: performance.now() - started, failures, cpuMs };
}
