// bun scripts/bench/ingest-order.ts
//
// Records scripts/bench/ingest-bytecode-order.txt, the bytecode layout profile that
// scripts/build.ts hands Bun (compile.bytecodeOrder): builds src/cli.ts without a
// profile, runs `ingest` once on the typical Postfix DSN with BUN_BYTECODE_ORDER_OUT set,
// and keeps what that run used. Rerun it when the ingest path changes much; an old
// profile still applies (what it misses is laid out after it, as without one).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BYTECODE_ORDER, build } from "../build.ts";
import { typicalDsn } from "./messages.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "ddp-ingest-order-"));
try {
	const binary = join(work, "unordered");
	mkdirSync(join(work, "data"));
	if (
		!(await build({ outfile: binary, commit: "order", bytecodeOrder: false }))
	)
		throw new Error("build failed");
	const run = spawnSync(binary, ["ingest", "ORDER", "", join(work, "data")], {
		input: typicalDsn(ROOT),
		encoding: "utf8",
		env: {
			PATH: "/usr/bin:/bin",
			LANG: "C",
			BUN_BYTECODE_ORDER_OUT: BYTECODE_ORDER,
		},
	});
	if (run.status !== 0 || !run.stdout.startsWith("recorded "))
		throw new Error(
			`ingest failed (${run.status}): ${run.stdout}${run.stderr}`,
		);
	const lines = readFileSync(BYTECODE_ORDER, "utf8").split("\n").length;
	console.error(`ingest-order: ${BYTECODE_ORDER} (${lines} lines)`);
} finally {
	rmSync(work, { recursive: true, force: true });
}
