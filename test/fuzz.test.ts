// A bounded fuzz run (issue 6): mutated DSNs from test/fixtures and hostile shapes, plus
// random bytes, each through the compiled binary in a sandbox (scripts/bench/sandbox.ts).
// Every input must end in exit 0 with a record, an ignore or a quarantine file, or in
// exit 75 with "4.3.0" and nothing written; nothing may appear outside the data dir, and
// no run may outlive the kill timeout. The seed is fixed so CI is repeatable: FUZZ_SEED
// and FUZZ_COUNT change it, `npm run fuzz` runs longer. Failing inputs are kept in
// $TMPDIR/ddp-fuzz-failures-<seed>/ for replaying:
//   dmarc-dsn-processor ingest Q "" DATA_DIR < that.eml
import { expect, test } from "bun:test";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { extension, mutate } from "../scripts/bench/mutate.ts";
import { rng, seedFrom } from "../scripts/bench/random.ts";
import { checkedIngest, keepFailure } from "../scripts/bench/sandbox.ts";
import { fixtureSeeds, hostileSeeds } from "../scripts/bench/seeds.ts";
import { BIN } from "./support/cli.ts";

const bin = process.env.DDP_BIN ?? BIN;
const COUNT = Number(process.env.FUZZ_COUNT ?? 300);
const SEED = seedFrom(process.env.FUZZ_SEED ?? "6");
const TIMEOUT_MS = 10_000;

test(`fuzz: ${COUNT} mutated DSNs (seed ${SEED}) end in 0 or 75, each with a record, an ignore or a quarantine file`, async () => {
	const seeds = [
		...fixtureSeeds(join(import.meta.dir, "..")),
		...hostileSeeds(),
	];
	const r = rng(SEED);
	const kinds = new Map<string, number>();
	const failures: string[] = [];
	const deferred: string[] = [];
	let next = 0;
	const worker = async () => {
		while (next < COUNT) {
			const i = next++;
			const mutant = mutate(r, seeds);
			const ext = extension(r);
			const verdict = await checkedIngest(bin, {
				input: mutant.bytes,
				queueId: `F${i}`,
				extension: ext,
				timeoutMs: TIMEOUT_MS,
			});
			const kind = verdict.kind ?? "failed";
			kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
			if (kind === "deferred")
				deferred.push(`#${i}: ${verdict.stdout.trim().slice(0, 160)}`);
			if (verdict.problems.length === 0) continue;
			const kept = keepFailure(
				join(tmpdir(), `ddp-fuzz-failures-${SEED}`),
				`input-${i}`,
				mutant.bytes,
				{
					seed: SEED,
					index: i,
					extension: ext,
					steps: mutant.steps,
					problems: verdict.problems,
					status: verdict.status,
					stdout: verdict.stdout,
				},
			);
			failures.push(
				`#${i} [${mutant.steps.join("; ")}] ext=${JSON.stringify(ext)}: ${verdict.problems.join(" | ")} (kept: ${kept})`,
			);
		}
	};
	await Promise.all(
		Array.from({ length: Math.max(2, availableParallelism()) }, worker),
	);
	console.log(
		`fuzz seed ${SEED}: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}`,
	);
	// exit 75 is safe for Postfix (it retries), but with a healthy data dir it means
	// the same DSN is retried until it expires: worth a look, not a failure here
	if (deferred.length > 0)
		console.warn(
			`deferred (75) with a healthy data dir:\n${deferred.join("\n")}`,
		);
	expect(failures).toEqual([]);
}, 180_000);
