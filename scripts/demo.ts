// The quick-start demo: ingests the bundled sample DSNs (test/fixtures/*.eml) with
// the compiled binary into a temporary data dir, as Postfix would, one process per
// message, then prints each summary line and the resulting Postfix map.
import { spawnSync } from "node:child_process";
import {
	existsSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = "dist/dmarc-dsn-processor";
const fixtures = "test/fixtures";
if (!existsSync(bin)) {
	console.error(`${bin} is missing: run npm run build first`);
	process.exit(66);
}

function extensionOf(eml: string): string {
	const json = join(fixtures, eml.replace(/\.eml$/, ".json"));
	if (!existsSync(json)) return "";
	const value: unknown = JSON.parse(readFileSync(json, "utf8"));
	const extension =
		typeof value === "object" && value !== null
			? (value as { extension?: unknown }).extension
			: "";
	return typeof extension === "string" ? extension : "";
}

const dataDir = mkdtempSync(join(tmpdir(), "dmarc-dsn-demo-"));
try {
	const messages = readdirSync(fixtures)
		.filter((f) => f.endsWith(".eml"))
		.sort();
	console.log(`ingesting ${messages.length} sample DSNs into ${dataDir}\n`);
	messages.forEach((eml, i) => {
		const queueId = `DEMO${String(i).padStart(4, "0")}`;
		const run = spawnSync(bin, ["ingest", queueId, extensionOf(eml), dataDir], {
			input: readFileSync(join(fixtures, eml)),
			encoding: "utf8",
		});
		console.log(`${eml.padEnd(34)} exit ${run.status}  ${run.stdout.trim()}`);
	});
	// every sample arrives at once: the surge breaker (a day of far more new bounces
	// than usual) would hold them all back, so the demo turns it off
	const args = ["table", "--surge-min", "0", dataDir];
	const table = spawnSync(bin, args, { encoding: "utf8" });
	console.log(
		`\n$ dmarc-dsn-processor ${args.join(" ")}\n${table.stdout}${table.stderr}`,
	);
	process.exitCode = table.status ?? 1;
} finally {
	rmSync(dataDir, { recursive: true, force: true });
}
