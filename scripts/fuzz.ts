// npm run fuzz [-- --count N] [--minutes M] [--seed S] [--jobs J] [--bin PATH]
//                [--corpus DIR] [--keep DIR] [--strict-defer]
//
// The longer, on-demand fuzz run (test/fuzz.test.ts is the bounded one in CI): mutated
// DSNs from test/fixtures, hostile shapes and, when present, the labelled corpus in
// ../shared/corpus, plus random bytes. Same oracle (scripts/bench/sandbox.ts): exit 0
// with a record, an ignore or a quarantine file, or 75 with "4.3.0" and nothing
// written; nothing outside the data dir; no run past the kill timeout. Failing inputs
// are kept with their verdict for replaying. Exits 1 when any input failed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { extension, mutate } from "./bench/mutate.ts";
import { rng, seedFrom } from "./bench/random.ts";
import { checkedIngest, keepFailure } from "./bench/sandbox.ts";
import { corpusSeeds, fixtureSeeds, hostileSeeds } from "./bench/seeds.ts";

const ROOT = join(import.meta.dir, "..");
const { values } = parseArgs({
	options: {
		count: { type: "string", default: "5000" },
		minutes: { type: "string" },
		seed: { type: "string" },
		jobs: { type: "string", default: String(availableParallelism()) },
		bin: { type: "string" },
		corpus: { type: "string", default: join(ROOT, "..", "shared", "corpus") },
		keep: { type: "string" },
		timeout: { type: "string", default: "10000" },
		"strict-defer": { type: "boolean", default: false },
	},
});

const seed = seedFrom(values.seed);
const count = Number(values.count);
const deadline =
	values.minutes === undefined
		? Number.POSITIVE_INFINITY
		: Date.now() + Number(values.minutes) * 60_000;
const keep = values.keep ?? join(tmpdir(), `ddp-fuzz-${seed}`);
const timeoutMs = Number(values.timeout);

let bin = values.bin;
let built: string | undefined;
if (!bin) {
	built = mkdtempSync(join(tmpdir(), "ddp-fuzz-bin-"));
	bin = join(built, "dmarc-dsn-processor");
	const r = spawnSync(process.execPath, ["scripts/build.ts", bin], {
		cwd: ROOT,
		stdio: "inherit",
	});
	if (r.status !== 0) process.exit(r.status ?? 1);
}

const corpus = corpusSeeds(values.corpus ?? "");
const seeds = [...fixtureSeeds(ROOT), ...hostileSeeds(), ...corpus];
console.log(
	`fuzz: seed ${seed}, up to ${count} inputs${values.minutes ? ` or ${values.minutes} min` : ""}, ${values.jobs} jobs, ` +
		`${seeds.length} seeds (${corpus.length} from ${existsSync(values.corpus ?? "") ? values.corpus : "no corpus"}), binary ${bin}`,
);

const r = rng(seed);
const kinds = new Map<string, number>();
const failures: string[] = [];
const deferred: string[] = [];
let slowest = { ms: 0, index: -1 };
let biggest = { mb: 0, index: -1 };
let next = 0;
const started = Date.now();

const worker = async (): Promise<void> => {
	while (next < count && Date.now() < deadline) {
		const i = next++;
		const mutant = mutate(r, seeds);
		const ext = extension(r);
		const verdict = await checkedIngest(bin ?? "", {
			input: mutant.bytes,
			queueId: `F${i}`,
			extension: ext,
			timeoutMs,
			strictDefer: values["strict-defer"] === true,
		});
		const kind = verdict.kind ?? "failed";
		kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
		if (verdict.wallMs > slowest.ms) slowest = { ms: verdict.wallMs, index: i };
		if (verdict.peakRssMb > biggest.mb)
			biggest = { mb: verdict.peakRssMb, index: i };
		if (kind === "deferred")
			deferred.push(`#${i}: ${verdict.stdout.trim().slice(0, 160)}`);
		if (i > 0 && i % 500 === 0)
			console.log(
				`${i} inputs in ${((Date.now() - started) / 1000).toFixed(0)} s, ${failures.length} failed`,
			);
		if (verdict.problems.length === 0) continue;
		const kept = keepFailure(keep, `input-${i}`, mutant.bytes, {
			seed,
			index: i,
			extension: ext,
			steps: mutant.steps,
			problems: verdict.problems,
			status: verdict.status,
			stdout: verdict.stdout,
			wallMs: verdict.wallMs,
			peakRssMb: verdict.peakRssMb,
		});
		const line = `#${i} [${mutant.steps.join("; ")}] ext=${JSON.stringify(ext)}: ${verdict.problems.join(" | ")} (kept: ${kept})`;
		failures.push(line);
		console.log(`FAIL ${line}`);
	}
};

try {
	await Promise.all(Array.from({ length: Number(values.jobs) }, worker));
} finally {
	if (built) rmSync(built, { recursive: true, force: true });
}

console.log(`
fuzz seed ${seed}: ${next} inputs in ${((Date.now() - started) / 1000).toFixed(0)} s
outcomes: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}
slowest: #${slowest.index}, ${slowest.ms.toFixed(0)} ms; largest peak RSS: #${biggest.index}, ${biggest.mb.toFixed(0)} MB
deferred (75) with a healthy data dir: ${deferred.length}${deferred.length ? `\n  ${deferred.slice(0, 20).join("\n  ")}` : ""}
failed: ${failures.length}${failures.length ? ` (inputs kept in ${keep})` : ""}`);
process.exitCode = failures.length > 0 ? 1 : 0;
