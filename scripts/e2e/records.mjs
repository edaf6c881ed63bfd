// Reads DATA_DIR/domains/* (JSON lines written by `dmarc-dsn-processor ingest`) for the e2e harness.
//   node records.mjs check DATA_DIR  validate every line; exit 1 listing torn/invalid lines
//   node records.mjs tsv DATA_DIR    one line per record: report_domain action status final_rcpt orig_rcpt queue_id file
// Plain Node (no dependencies): CI has Node because it runs `npm ci`.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const FIELDS = [
	"report_domain",
	"action",
	"status",
	"final_rcpt",
	"orig_rcpt",
	"diag_code",
	"date",
	"time",
	"queue_id",
];
// the processor's bucket for failed recipients whose report domain nothing names (src/state/record.ts)
const UNKNOWN = "_unknown";
const DOMAIN =
	/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

const [mode, dataDir] = process.argv.slice(2);
if (!["check", "tsv"].includes(mode ?? "") || !dataDir) {
	console.error("usage: records.mjs check|tsv DATA_DIR");
	process.exit(64);
}

const dir = join(dataDir, "domains");
let files = [];
try {
	files = readdirSync(dir).sort();
} catch (error) {
	if (error.code !== "ENOENT") throw error;
}

const problems = [];
const records = [];
for (const file of files) {
	const text = readFileSync(join(dir, file), "utf8");
	if (!DOMAIN.test(file) && file !== UNKNOWN)
		problems.push(`${file}: file name is not a lowercase domain name`);
	if (text.length > 0 && !text.endsWith("\n"))
		problems.push(`${file}: last line has no newline (torn write)`);
	const lines = text.split("\n");
	if (lines.at(-1) === "") lines.pop();
	lines.forEach((line, index) => {
		const where = `${file}:${index + 1}`;
		let record;
		try {
			record = JSON.parse(line);
		} catch {
			problems.push(
				`${where}: not JSON: ${JSON.stringify(line.slice(0, 200))}`,
			);
			return;
		}
		if (
			record === null ||
			typeof record !== "object" ||
			Array.isArray(record)
		) {
			problems.push(`${where}: not a JSON object`);
			return;
		}
		const missing = FIELDS.filter((field) => !(field in record));
		if (missing.length > 0)
			problems.push(`${where}: missing ${missing.join(", ")}`);
		if (record.report_domain !== file)
			problems.push(
				`${where}: report_domain ${record.report_domain} in file ${file}`,
			);
		if (!/^\d{8}$/.test(String(record.date)))
			problems.push(`${where}: date ${record.date} is not YYYYMMDD`);
		if (typeof record.queue_id !== "string" || record.queue_id === "")
			problems.push(`${where}: no queue_id`);
		const address = [record.orig_rcpt, record.final_rcpt].find(
			(value) => typeof value === "string" && value.includes("@"),
		);
		if (address === undefined)
			problems.push(`${where}: neither orig_rcpt nor final_rcpt is an address`);
		records.push({ ...record, file });
	});
}

if (mode === "check") {
	for (const problem of problems) console.error(problem);
	console.log(
		`${records.length} records in ${files.length} files, ${problems.length} problems`,
	);
	process.exit(problems.length === 0 ? 0 : 1);
}
const cell = (value) =>
	value === null || value === undefined || value === ""
		? "-"
		: String(value).replace(/[\t\n\r]/g, " ");
for (const record of records) {
	const columns = [
		record.report_domain,
		record.action,
		record.status,
		record.final_rcpt,
		record.orig_rcpt,
		record.queue_id,
	];
	console.log([...columns.map(cell), record.file].join("\t"));
}
