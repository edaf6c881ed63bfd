// The quick-start demo: ingests the bundled sample DSNs (test/fixtures/*.eml) with
// the compiled binary into a new data dir, as Postfix would, one process per message,
// then prints each summary line, the resulting Postfix map and a count of what happened.
// The data dir is kept, for a look at domains/ and saved/ (its path is printed).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
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
const messages = readdirSync(fixtures)
	.filter((f) => f.endsWith(".eml"))
	.sort();
console.log(`ingesting ${messages.length} sample DSNs into ${dataDir}\n`);
const counts = { recorded: 0, ignored: 0, quarantined: 0, deferred: 0 };
messages.forEach((eml, i) => {
	const queueId = `DEMO${String(i).padStart(4, "0")}`;
	const run = spawnSync(bin, ["ingest", queueId, extensionOf(eml), dataDir], {
		input: readFileSync(join(fixtures, eml)),
		encoding: "utf8",
	});
	const line = run.stdout.trim();
	if (/^(WARNING [^,]*, )?recorded /.test(line)) counts.recorded++;
	else if (line.startsWith("ignored ")) counts.ignored++;
	else if (line.startsWith("quarantined ")) counts.quarantined++;
	else counts.deferred++;
	console.log(`${eml.padEnd(34)} exit ${run.status}  ${line}`);
});
// The surge breaker holds back a day with far more new bounces than usual (a fault on our
// side, most likely); every sample arrives at once, so the demo turns it off (--surge-min 0).
const args = ["table", "--surge-min", "0", dataDir];
const table = spawnSync(bin, args, { encoding: "utf8" });
console.log(
	"\n--surge-min 0: all samples arrive at once, which the surge breaker would take for a fault on our side and hold back, so the demo turns it off.",
);
console.log(
	`$ dmarc-dsn-processor ${args.join(" ")}\n${table.stdout}${table.stderr}`,
);
console.log(
	`${messages.length} messages: ${counts.recorded} recorded, ${counts.ignored} ignored, ` +
		`${counts.quarantined} quarantined${counts.deferred ? `, ${counts.deferred} deferred (exit 75)` : ""}.`,
);
console.log(
	`The data dir stays in ${dataDir} (domains/: the records, saved/: the quarantine).`,
);
console.log(
	"To run it under Postfix, see docs/postfix.md (install, the map update script, main.cf, master.cf, cron).",
);
process.exitCode = table.status ?? 1;
