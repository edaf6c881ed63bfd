// Accuracy of dmarc-dsn-processor on the labelled bounce corpus (../shared/corpus).
//
//   bun scripts/accuracy.ts [--corpus DIR] [--bin PATH] [--jobs N] [--misses] [--json]
//                           [--thresholds FILE]
//
// For every labelled message (skipping `confidence: low` and `failed: null`):
//   dry-run  `ingest --dry-run QUEUE_ID EXTENSION`: the set of recipients the decision records
//            as failed (action "failed", suppressed, held as sender-side or as a member of a
//            remote alias (issue 12: the notice was read, the policy holds it); held as an expiry
//            after unreachable hosts counts too when the label says `expired: true`) must
//            equal the label's `failed` set. Whether a failure reaches the map is the map measure's question.
//   map      (labels with `suppress`, i.e. dmarc/ and postfix/) `ingest` into a fresh data dir,
//            then `table`: the map keys must be exactly `failed` (suppress yes), empty (no) or a
//            subset of `failed` (either), and every map line must name the label's report_domain.
// "Dangerous" counts success/delayed/auto-reply/feedback/not-a-bounce messages that produced a
// failed recipient or a map line; it must be zero.
// The corpus is only read, never copied. Exit status is 0 unless the binary or the corpus is
// missing (66), or, with --thresholds FILE (the CI gate, .ci/accuracy-thresholds.json: the
// lowest percent allowed per "set measure"), a set falls below its figure, a set named there
// is missing, or anything dangerous appears (1). The gate ends with "N passed, N failed".

import { spawn } from "node:child_process";
import {
	existsSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DEFAULT_CORPUS = resolve(REPO_ROOT, "..", "shared", "corpus");
const DEFAULT_BIN = join(REPO_ROOT, "dist", "dmarc-dsn-processor");
const TIMEOUT_MS = 30_000;
const MISS_CAP = 60;
const DANGEROUS_KINDS = new Set([
	"success",
	"delayed",
	"auto-reply",
	"feedback",
	"not-a-bounce",
]);

type Suppress = "yes" | "no" | "either";
type Measure = "dry-run" | "map";

interface Label {
	file: string;
	kind: string;
	failed: string[] | null;
	confidence: string | null;
	/** an expiry after unreachable hosts: recording or holding it both count (corpus README) */
	expired: boolean;
	extension: string;
	reportDomain: string | null;
	suppress: Suppress | null;
}

interface Item {
	n: number;
	set: string;
	family: string;
	/** path relative to the corpus root, e.g. dmarc/sisimai/arf-01.eml */
	path: string;
	abs: string;
	label: Label;
}

interface RunResult {
	code: number | null;
	signal: string | null;
	stdout: string;
	stderr: string;
	error: string | null;
}

interface DryResult {
	exact: boolean;
	dangerous: boolean;
	/** internal error, exit 75, bad JSON, timeout: counted as a miss */
	error: string | null;
	exitCode: number | null;
	outcome: string | null;
	reason: string | null;
	reportDomain: string | null;
	/** null when the label has no report_domain or nothing failed */
	reportDomainRight: boolean | null;
	failed: string[];
}

interface MapResult {
	right: boolean;
	keysRight: boolean;
	/** null when not checked (empty map or no report_domain in the label) */
	domainRight: boolean | null;
	dangerous: boolean;
	error: string | null;
	keys: string[];
	lines: string[];
	ingestOutput: string;
}

interface ItemResult {
	set: string;
	family: string;
	file: string;
	kind: string;
	expectedFailed: string[] | null;
	suppress: Suppress | null;
	reportDomain: string | null;
	skipped: string | null;
	dry: DryResult | null;
	map: MapResult | null;
}

interface Tally {
	messages: number;
	scored: number;
	right: number;
	errors: number;
	dangerous: number;
	skippedLow: number;
	skippedNoAddress: number;
	skippedMissing: number;
}

interface SetSummary extends Tally {
	set: string;
	measure: Measure;
	percent: number;
	/** map: messages whose keys were right but the domain text was wrong */
	domainWrong?: number;
	/** dry-run: report_domain checked / right (labels with report_domain and failures) */
	reportDomainChecked?: number;
	reportDomainRight?: number;
}

interface Miss {
	set: string;
	family: string;
	file: string;
	kind: string;
	measure: Measure;
	/** a non-bounce kind that produced a failed recipient or a map line */
	dangerous: boolean;
	/** the binary failed (exit 75, bad output, timeout): `got` is meaningless */
	error: boolean;
	suppress: Suppress | null;
	expected: string[];
	got: string[];
	outcome: string | null;
	reason: string | null;
	detail: string | null;
}

interface Options {
	corpus: string;
	bin: string;
	jobs: number;
	misses: boolean;
	json: boolean;
	thresholds: string | null;
}

function usage(): string {
	return "usage: bun scripts/accuracy.ts [--corpus DIR] [--bin PATH] [--jobs N] [--misses] [--json] [--thresholds FILE]";
}

function parseArgs(argv: string[]): Options {
	const opts: Options = {
		corpus: DEFAULT_CORPUS,
		bin: DEFAULT_BIN,
		jobs: 4,
		misses: false,
		json: false,
		thresholds: null,
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i] ?? "";
		const [name, inline] =
			arg.startsWith("--") && arg.includes("=")
				? splitOnce(arg, "=")
				: [arg, null];
		const value = (): string => {
			if (inline !== null) return inline;
			const next = argv[++i];
			if (next === undefined) fail(`${name} needs a value\n${usage()}`, 64);
			return next;
		};
		switch (name) {
			case "--corpus":
				opts.corpus = resolve(value());
				break;
			case "--bin":
				opts.bin = resolve(value());
				break;
			case "--jobs": {
				const n = Number.parseInt(value(), 10);
				if (!Number.isFinite(n) || n < 1)
					fail(`--jobs needs a positive number\n${usage()}`, 64);
				opts.jobs = n;
				break;
			}
			case "--misses":
				opts.misses = true;
				break;
			case "--json":
				opts.json = true;
				break;
			case "--thresholds":
				opts.thresholds = resolve(value());
				break;
			case "-h":
			case "--help":
				process.stdout.write(`${usage()}\n`);
				process.exit(0);
				break;
			default:
				fail(`unknown argument ${arg}\n${usage()}`, 64);
		}
	}
	return opts;
}

function splitOnce(s: string, sep: string): [string, string] {
	const i = s.indexOf(sep);
	return [s.slice(0, i), s.slice(i + sep.length)];
}

function fail(message: string, code: number): never {
	process.stderr.write(`accuracy: ${message}\n`);
	process.exit(code);
}

// ---------------------------------------------------------------------------------------------
// Labels

function isRecord(v: unknown): v is Record<string, unknown> {
	return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseLabel(line: string, where: string): Label | null {
	let raw: unknown;
	try {
		raw = JSON.parse(line);
	} catch {
		process.stderr.write(`accuracy: ${where}: not JSON, skipped\n`);
		return null;
	}
	if (!isRecord(raw) || typeof raw.file !== "string") {
		process.stderr.write(`accuracy: ${where}: no "file", skipped\n`);
		return null;
	}
	const failed = Array.isArray(raw.failed)
		? raw.failed
				.filter((a): a is string => typeof a === "string")
				.map(normAddress)
		: null;
	const suppress =
		raw.suppress === "yes" || raw.suppress === "no" || raw.suppress === "either"
			? raw.suppress
			: null;
	return {
		file: raw.file,
		kind: typeof raw.kind === "string" ? raw.kind : "unknown",
		failed: failed === null ? null : [...new Set(failed)].sort(),
		confidence: typeof raw.confidence === "string" ? raw.confidence : null,
		expired: raw.expired === true,
		extension: typeof raw.extension === "string" ? raw.extension : "",
		reportDomain:
			typeof raw.report_domain === "string"
				? raw.report_domain.toLowerCase()
				: null,
		suppress,
	};
}

/**
 * The address a parser reports as failed: the DSN's Final-Recipient (what the labels
 * name, after Sisimai), unless VERP named the recipient. The map key, measured by the
 * map check, is the Original-Recipient: the address we sent to (requirements R9).
 */
function reported(rcpt: Record<string, unknown>, verp: unknown): string {
	const final = typeof rcpt.final_rcpt === "string" ? rcpt.final_rcpt : "";
	const useFinal =
		typeof verp !== "string" && /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(final);
	return useFinal ? final : String(rcpt.address);
}

function normAddress(a: string): string {
	return a.trim().toLowerCase();
}

function familyOf(set: string, file: string): string {
	// sisimai-derived files are named <family>-NN.eml; everything else is its own set's family
	if (file.split("/").includes("sisimai")) {
		const name = basename(file).replace(/-\d+\.eml$/i, "");
		return name.replace(/\.eml$/i, "");
	}
	// other parsers' corpora (parsers/, parsers/dmarc/): one family per source project
	if (set === "parsers" || set.startsWith("parsers/"))
		return `parsers:${file.split("/")[0] ?? ""}`;
	return set;
}

function loadItems(corpus: string): Item[] {
	const items: Item[] = [];
	let n = 0;
	const readLabels = (file: string): Label[] => {
		const out: Label[] = [];
		readFileSync(file, "utf8")
			.split("\n")
			.forEach((line, i) => {
				if (line.trim() === "") return;
				const label = parseLabel(line, `${file}:${i + 1}`);
				if (label) out.push(label);
			});
		return out;
	};
	// every folder (at any depth) with its own expected.jsonl is a set, named by its path:
	// sisimai, dmarc, parsers, parsers/dmarc, ...
	const folders = labelledFolders(corpus, "");
	const rootExpected = join(corpus, "expected.jsonl");
	if (existsSync(rootExpected)) {
		for (const label of readLabels(rootExpected)) {
			const set = label.file.includes("/")
				? (label.file.split("/")[0] ?? "corpus")
				: "corpus";
			// a folder with its own expected.jsonl is measured from that file only
			if (folders.includes(set)) continue;
			items.push({
				n: ++n,
				set,
				family: familyOf(set, label.file),
				path: label.file,
				abs: join(corpus, label.file),
				label,
			});
		}
	}
	for (const folder of folders) {
		for (const label of readLabels(join(corpus, folder, "expected.jsonl"))) {
			// a subfolder with its own expected.jsonl is measured from that file only
			if (
				folders.some(
					(f) =>
						`${folder}/${label.file}`.startsWith(`${f}/`) &&
						f.length > folder.length,
				)
			)
				continue;
			items.push({
				n: ++n,
				set: folder,
				family: familyOf(folder, label.file),
				path: `${folder}/${label.file}`,
				abs: join(corpus, folder, label.file),
				label,
			});
		}
	}
	return items;
}

/** Folders under `dir` (paths relative to the corpus root) that hold an expected.jsonl. */
function labelledFolders(corpus: string, rel: string): string[] {
	const out: string[] = [];
	for (const d of listDirs(join(corpus, rel))) {
		const path = rel === "" ? d : `${rel}/${d}`;
		if (existsSync(join(corpus, path, "expected.jsonl"))) out.push(path);
		out.push(...labelledFolders(corpus, path));
	}
	return out;
}

function listDirs(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true })
		.filter((e) => e.isDirectory())
		.map((e) => e.name)
		.sort();
}

// ---------------------------------------------------------------------------------------------
// Running the binary

function cleanEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { ...process.env };
	for (const name of ["DATA_DIR", "VERBOSE", "MIN_AGE"]) delete env[name];
	return env;
}

const ENV = cleanEnv();

function run(
	bin: string,
	args: string[],
	input: Buffer | null,
): Promise<RunResult> {
	return new Promise((done) => {
		let settled = false;
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		const finish = (r: Omit<RunResult, "stdout" | "stderr">): void => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			done({
				...r,
				stdout: Buffer.concat(out).toString("utf8"),
				stderr: Buffer.concat(err).toString("utf8"),
			});
		};
		const child = spawn(bin, args, {
			env: ENV,
			stdio: ["pipe", "pipe", "pipe"],
		});
		const timer = setTimeout(() => {
			child.kill("SIGKILL");
			finish({
				code: null,
				signal: "SIGKILL",
				error: `timed out after ${TIMEOUT_MS / 1000}s`,
			});
		}, TIMEOUT_MS);
		child.stdout.on("data", (c: Buffer) => out.push(c));
		child.stderr.on("data", (c: Buffer) => err.push(c));
		child.stdin.on("error", () => {
			// the process may exit before reading all of stdin; its exit status tells the story
		});
		child.on("error", (e) =>
			finish({ code: null, signal: null, error: e.message }),
		);
		child.on("close", (code, signal) => finish({ code, signal, error: null }));
		child.stdin.end(input ?? Buffer.alloc(0));
	});
}

function firstLine(s: string): string {
	const line = s.trim().split("\n")[0] ?? "";
	return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

function runFailure(r: RunResult, what: string): string | null {
	if (r.error !== null) return `${what}: ${r.error}`;
	if (r.code === 0) return null;
	const why = r.code === null ? `signal ${r.signal ?? "?"}` : `exit ${r.code}`;
	return `${what} ${why}: ${firstLine(r.stdout) || firstLine(r.stderr) || "(no output)"}`;
}

function sameSet(a: string[], b: string[]): boolean {
	return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function dryRun(
	bin: string,
	item: Item,
	message: Buffer,
	expected: string[],
): Promise<DryResult> {
	const r = await run(
		bin,
		["ingest", "--dry-run", `ACC${item.n}`, item.label.extension],
		message,
	);
	const base: DryResult = {
		exact: false,
		dangerous: false,
		error: null,
		exitCode: r.code,
		outcome: null,
		reason: null,
		reportDomain: null,
		reportDomainRight: null,
		failed: [],
	};
	const failure = runFailure(r, "dry-run");
	if (failure !== null) return { ...base, error: failure };
	let parsed: unknown;
	try {
		parsed = JSON.parse(r.stdout);
	} catch {
		return {
			...base,
			error: `dry-run printed no JSON object: ${firstLine(r.stdout) || "(empty)"}`,
		};
	}
	if (!isRecord(parsed))
		return { ...base, error: "dry-run output is not a JSON object" };
	const recipients = Array.isArray(parsed.recipients) ? parsed.recipients : [];
	const counted = recipients
		.filter(isRecord)
		.filter(
			(rcpt) =>
				rcpt.action === "failed" &&
				(rcpt.suppress === true ||
					rcpt.hold === "sender-side" ||
					rcpt.hold === "alias-member" ||
					(item.label.expired && rcpt.hold === "expired-unreachable")) &&
				typeof rcpt.address === "string",
		);
	const setOf = (name: (r: Record<string, unknown>) => string): string[] =>
		[...new Set(counted.map((r) => normAddress(name(r))))].sort();
	const failed = setOf((r) => reported(r, parsed.verp));
	// Sisimai's labels name the Final-Recipient, other parsers' (Mailman, BounceParser)
	// the Original-Recipient: a recipient named by either counts as named
	const originals = setOf((r) => String(r.address));
	const reportDomain =
		typeof parsed.report_domain === "string"
			? parsed.report_domain.toLowerCase()
			: null;
	const checkDomain = item.label.reportDomain !== null && expected.length > 0;
	return {
		...base,
		exact: sameSet(failed, expected) || sameSet(originals, expected),
		dangerous: DANGEROUS_KINDS.has(item.label.kind) && failed.length > 0,
		outcome: typeof parsed.outcome === "string" ? parsed.outcome : null,
		reason: typeof parsed.reason === "string" ? parsed.reason : null,
		reportDomain,
		reportDomainRight: checkDomain
			? reportDomain === item.label.reportDomain
			: null,
		failed,
	};
}

/** Does the text after `discard:` name the domain (as a whole token)? */
function namesDomain(line: string, domain: string): boolean {
	const rest = line.trim().split(/\s+/).slice(1).join(" ").toLowerCase();
	const text = rest.startsWith("discard:")
		? rest.slice("discard:".length)
		: rest;
	return text
		.split(/[^a-z0-9._-]+/)
		.map((t) => t.replace(/\.+$/, ""))
		.includes(domain);
}

async function mapPath(
	bin: string,
	item: Item,
	message: Buffer,
	expected: string[],
	suppress: Suppress,
): Promise<MapResult> {
	const dataDir = mkdtempSync(join(tmpdir(), "dsn-accuracy-"));
	const base: MapResult = {
		right: false,
		keysRight: false,
		domainRight: null,
		dangerous: false,
		error: null,
		keys: [],
		lines: [],
		ingestOutput: "",
	};
	try {
		const ingest = await run(
			bin,
			["ingest", `ACC${item.n}`, item.label.extension, dataDir],
			message,
		);
		base.ingestOutput = firstLine(ingest.stdout);
		const ingestFailure = runFailure(ingest, "ingest");
		if (ingestFailure !== null) return { ...base, error: ingestFailure };
		const table = await run(bin, ["table", dataDir], null);
		const tableFailure = runFailure(table, "table");
		if (tableFailure !== null) return { ...base, error: tableFailure };
		const lines = table.stdout
			.split("\n")
			.map((l) => l.trim())
			.filter((l) => l !== "" && !l.startsWith("#"));
		const keys = [
			...new Set(lines.map((l) => normAddress(l.split(/\s+/)[0] ?? ""))),
		].sort();
		let keysRight: boolean;
		if (suppress === "yes") keysRight = sameSet(keys, expected);
		else if (suppress === "no") keysRight = keys.length === 0;
		else keysRight = keys.every((k) => expected.includes(k));
		const domain = item.label.reportDomain;
		const domainRight =
			lines.length > 0 && domain !== null
				? lines.every((l) => namesDomain(l, domain))
				: null;
		return {
			...base,
			right: keysRight && domainRight !== false,
			keysRight,
			domainRight,
			dangerous: DANGEROUS_KINDS.has(item.label.kind) && lines.length > 0,
			keys,
			lines,
		};
	} finally {
		rmSync(dataDir, { recursive: true, force: true });
	}
}

async function measure(bin: string, item: Item): Promise<ItemResult> {
	const { label } = item;
	const result: ItemResult = {
		set: item.set,
		family: item.family,
		file: item.path,
		kind: label.kind,
		expectedFailed: label.failed,
		suppress: label.suppress,
		reportDomain: label.reportDomain,
		skipped: null,
		dry: null,
		map: null,
	};
	if (label.confidence === "low")
		return { ...result, skipped: "low confidence" };
	if (label.failed === null) return { ...result, skipped: "no address label" };
	let message: Buffer;
	try {
		message = readFileSync(item.abs);
	} catch {
		return { ...result, skipped: "missing file" };
	}
	result.dry = await dryRun(bin, item, message, label.failed);
	if (label.suppress !== null)
		result.map = await mapPath(
			bin,
			item,
			message,
			label.failed,
			label.suppress,
		);
	return result;
}

async function pool<T, R>(
	items: T[],
	jobs: number,
	fn: (item: T) => Promise<R>,
): Promise<R[]> {
	const results: R[] = new Array(items.length);
	let next = 0;
	const worker = async (): Promise<void> => {
		while (next < items.length) {
			const i = next++;
			const item = items[i];
			if (item === undefined) continue;
			results[i] = await fn(item);
		}
	};
	await Promise.all(
		Array.from({ length: Math.min(jobs, items.length) }, worker),
	);
	return results;
}

// ---------------------------------------------------------------------------------------------
// Scoring

function emptyTally(): Tally {
	return {
		messages: 0,
		scored: 0,
		right: 0,
		errors: 0,
		dangerous: 0,
		skippedLow: 0,
		skippedNoAddress: 0,
		skippedMissing: 0,
	};
}

function addTo(t: Tally, r: ItemResult, m: Measure): void {
	if (m === "map" && r.suppress === null) return;
	t.messages++;
	if (r.skipped === "low confidence") t.skippedLow++;
	else if (r.skipped === "no address label") t.skippedNoAddress++;
	else if (r.skipped === "missing file") t.skippedMissing++;
	const res = m === "dry-run" ? r.dry : r.map;
	if (res === null) return;
	t.scored++;
	if (m === "dry-run" ? r.dry?.exact : r.map?.right) t.right++;
	if (res.error !== null) t.errors++;
	if (res.dangerous) t.dangerous++;
}

function pct(right: number, scored: number): number {
	return scored === 0 ? 0 : Math.round((1000 * right) / scored) / 10;
}

function summarise(results: ItemResult[], sets: string[]): SetSummary[] {
	const out: SetSummary[] = [];
	const build = (
		set: string,
		measureName: Measure,
		rs: ItemResult[],
	): SetSummary => {
		const t = emptyTally();
		for (const r of rs) addTo(t, r, measureName);
		const s: SetSummary = {
			set,
			measure: measureName,
			...t,
			percent: pct(t.right, t.scored),
		};
		if (measureName === "map") {
			s.domainWrong = rs.filter(
				(r) => r.map?.keysRight === true && r.map.domainRight === false,
			).length;
		} else {
			const checked = rs.filter(
				(r) => r.dry?.reportDomainRight !== null && r.dry !== null,
			);
			s.reportDomainChecked = checked.length;
			s.reportDomainRight = checked.filter(
				(r) => r.dry?.reportDomainRight === true,
			).length;
		}
		return s;
	};
	for (const set of sets) {
		const rs = results.filter((r) => r.set === set);
		out.push(build(set, "dry-run", rs));
		if (rs.some((r) => r.suppress !== null)) out.push(build(set, "map", rs));
	}
	out.push(build("all", "dry-run", results));
	if (results.some((r) => r.suppress !== null))
		out.push(build("all", "map", results));
	return out;
}

interface FamilyRow {
	family: string;
	dryOriginal: Tally;
	dryDmarc: Tally;
	map: Tally;
}

function families(results: ItemResult[]): FamilyRow[] {
	const rows = new Map<string, FamilyRow>();
	for (const r of results) {
		let row = rows.get(r.family);
		if (!row) {
			row = {
				family: r.family,
				dryOriginal: emptyTally(),
				dryDmarc: emptyTally(),
				map: emptyTally(),
			};
			rows.set(r.family, row);
		}
		addTo(
			r.set === "dmarc" || r.set.endsWith("/dmarc")
				? row.dryDmarc
				: row.dryOriginal,
			r,
			"dry-run",
		);
		addTo(row.map, r, "map");
	}
	return [...rows.values()].sort((a, b) => a.family.localeCompare(b.family));
}

function collectMisses(results: ItemResult[]): Miss[] {
	const misses: Miss[] = [];
	for (const r of results) {
		const expected = r.expectedFailed ?? [];
		const common = {
			set: r.set,
			family: r.family,
			file: r.file,
			kind: r.kind,
			suppress: r.suppress,
			expected,
		};
		if (r.dry && !r.dry.exact) {
			misses.push({
				...common,
				measure: "dry-run",
				dangerous: r.dry.dangerous,
				error: r.dry.error !== null,
				got: r.dry.failed,
				outcome: r.dry.outcome,
				reason: r.dry.reason,
				detail: r.dry.error,
			});
		}
		if (r.map && !r.map.right) {
			let detail = r.map.error;
			if (detail === null && r.map.keysRight && r.map.domainRight === false) {
				detail = `map line does not name ${r.reportDomain ?? "?"}: ${r.map.lines[0] ?? ""}`;
			} else if (detail === null) {
				detail = `suppress=${r.suppress ?? "?"}; ingest said: ${r.map.ingestOutput || "(nothing)"}`;
			}
			misses.push({
				...common,
				measure: "map",
				dangerous: r.map.dangerous,
				error: r.map.error !== null,
				got: r.map.keys,
				outcome: r.dry?.outcome ?? null,
				reason: r.dry?.reason ?? null,
				detail,
			});
		}
	}
	// dangerous ones first: they matter most
	return misses.sort(
		(a, b) =>
			Number(b.dangerous) - Number(a.dangerous) ||
			a.set.localeCompare(b.set) ||
			a.family.localeCompare(b.family) ||
			a.file.localeCompare(b.file) ||
			a.measure.localeCompare(b.measure),
	);
}

// ---------------------------------------------------------------------------------------------
// Output

function table(
	header: string[],
	rows: string[][],
	rightAligned: Set<number>,
): string {
	const widths = header.map((h, i) =>
		Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)),
	);
	const fmt = (cells: string[]): string =>
		cells
			.map((c, i) => {
				const w = widths[i] ?? c.length;
				return rightAligned.has(i) ? c.padStart(w) : c.padEnd(w);
			})
			.join("  ")
			.trimEnd();
	return [
		fmt(header),
		fmt(widths.map((w) => "-".repeat(w))),
		...rows.map(fmt),
	].join("\n");
}

function cell(t: Tally): string {
	return t.scored === 0 ? "-" : `${t.right}/${t.scored}`;
}

function list(a: string[]): string {
	return a.length === 0 ? "[]" : `[${a.join(", ")}]`;
}

function dangerousFiles(results: ItemResult[]): string[] {
	return results
		.filter((r) => r.dry?.dangerous === true || r.map?.dangerous === true)
		.map((r) => {
			const how = [
				r.dry?.dangerous ? `dry-run failed ${list(r.dry.failed)}` : "",
				r.map?.dangerous ? `map ${list(r.map.keys)}` : "",
			].filter((x) => x !== "");
			return `${r.file} [${r.kind}]: ${how.join("; ")}`;
		});
}

type MissCause =
	| "dangerous"
	| "error"
	| "nothing found"
	| "extra addresses"
	| "some missing"
	| "different addresses"
	| "wrong report domain";

/** A rough cause, for counting: what kind of wrong the result is. */
function missCause(m: Miss): MissCause {
	if (m.dangerous) return "dangerous";
	if (m.error) return "error";
	const got = new Set(m.got);
	const expected = new Set(m.expected);
	if (m.measure === "map" && m.suppress === "either") {
		// only adding addresses outside `failed` is wrong here
		if (m.got.every((a) => expected.has(a))) return "wrong report domain";
		return "extra addresses";
	}
	if (sameSet(m.got, m.expected)) return "wrong report domain";
	if (m.got.length === 0) return "nothing found";
	if (m.expected.every((a) => got.has(a))) return "extra addresses";
	if (m.got.every((a) => expected.has(a))) return "some missing";
	return "different addresses";
}

function causeCounts(misses: Miss[]): Record<Measure, Record<string, number>> {
	const out: Record<Measure, Record<string, number>> = {
		"dry-run": {},
		map: {},
	};
	for (const m of misses) {
		const c = missCause(m);
		out[m.measure][c] = (out[m.measure][c] ?? 0) + 1;
	}
	return out;
}

function percentText(s: SetSummary): string {
	return s.scored === 0 ? "n/a" : `${s.percent.toFixed(1)}%`;
}

function skippedText(s: SetSummary): string {
	const parts: string[] = [];
	if (s.skippedLow) parts.push(`${s.skippedLow} low confidence`);
	if (s.skippedNoAddress)
		parts.push(`${s.skippedNoAddress} without address labels`);
	if (s.skippedMissing) parts.push(`${s.skippedMissing} missing files`);
	return parts.length === 0 ? "" : `; skipped ${parts.join(", ")}`;
}

function summaryLine(s: SetSummary): string {
	const what =
		s.measure === "dry-run"
			? "exact failed set via ingest --dry-run"
			: "right map keys and report domain via ingest + table";
	let line = `${s.set} ${s.measure}: ${s.right}/${s.scored} ${what} (${percentText(s)})`;
	if (s.errors) line += `, ${s.errors} internal errors`;
	if (s.measure === "map" && s.domainWrong)
		line += `, ${s.domainWrong} with right keys but wrong domain`;
	return line + skippedText(s);
}

function printText(
	opts: Options,
	items: Item[],
	summaries: SetSummary[],
	fams: FamilyRow[],
	misses: Miss[],
	results: ItemResult[],
	elapsedMs: number,
): void {
	const out: string[] = [];
	out.push(
		`dmarc-dsn-processor accuracy: ${items.length} labelled messages, ${(elapsedMs / 1000).toFixed(1)}s`,
	);
	out.push(`  bin:    ${opts.bin}`);
	out.push(`  corpus: ${opts.corpus}`);
	out.push("");
	out.push("Per set");
	out.push(
		table(
			[
				"set",
				"measure",
				"messages",
				"scored",
				"exact",
				"%",
				"errors",
				"dangerous",
				"report domain",
			],
			summaries.map((s) => [
				s.set,
				s.measure,
				String(s.messages),
				String(s.scored),
				String(s.right),
				percentText(s),
				String(s.errors),
				String(s.dangerous),
				s.measure === "dry-run"
					? s.reportDomainChecked
						? `${s.reportDomainRight}/${s.reportDomainChecked}`
						: "-"
					: `${s.domainWrong ?? 0} wrong`,
			]),
			new Set([2, 3, 4, 5, 6, 7]),
		),
	);
	out.push(
		"  exact: dry-run = failed set equals the label; map = keys per suppress (yes: exactly failed, no: empty,",
	);
	out.push(
		"  either: subset of failed) and every line names report_domain. domain: dry-run report_domain right/checked.",
	);
	out.push("");
	out.push("Per format family (right/scored; * = has misses)");
	out.push(
		table(
			["family", "dry-run", "dmarc dry-run", "map", ""],
			fams.map((f) => {
				const missed = [f.dryOriginal, f.dryDmarc, f.map].some(
					(t) => t.right < t.scored,
				);
				return [
					f.family,
					cell(f.dryOriginal),
					cell(f.dryDmarc),
					cell(f.map),
					missed ? "*" : "",
				];
			}),
			new Set([1, 2, 3]),
		),
	);
	out.push(
		"  dry-run = the originals (sisimai/, flanker/, postfix/, parsers/); dmarc dry-run = dmarc/, parsers/dmarc/; map = their ingest + table",
	);
	out.push("");
	const missLines: string[] = [];
	for (const m of misses) {
		const got = m.error ? "(error)" : list(m.got);
		missLines.push(
			`${m.dangerous ? "DANGEROUS " : ""}${m.file} [${m.kind}${m.suppress ? `, suppress ${m.suppress}` : ""}] ${m.measure}: expected ${list(m.expected)} got ${got}; ${m.outcome ?? "?"}/${m.reason ?? "?"}`,
		);
		if (m.detail) missLines.push(`    ${m.detail}`);
	}
	const causes = causeCounts(misses);
	out.push("Misses by rough cause");
	for (const m of ["dry-run", "map"] as const) {
		const parts = Object.entries(causes[m])
			.sort((a, b) => b[1] - a[1])
			.map(([c, n]) => `${c} ${n}`);
		const total = misses.filter((x) => x.measure === m).length;
		out.push(`  ${m}: ${total}${parts.length ? ` (${parts.join(", ")})` : ""}`);
	}
	out.push("");
	const shown = opts.misses ? missLines : missLines.slice(0, MISS_CAP);
	out.push(
		`Misses: ${misses.length}${shown.length < missLines.length ? ` (first ${MISS_CAP} lines; --misses for all)` : ""}`,
	);
	out.push(...shown.map((l) => `  ${l}`));
	out.push("");
	const dangerous = dangerousFiles(results);
	const errors = summaries
		.filter((s) => s.set !== "all")
		.reduce((n, s) => n + s.errors, 0);
	out.push("Summary");
	for (const s of summaries) out.push(`  ${summaryLine(s)}`);
	out.push(
		`  dangerous (success/delayed/auto-reply/feedback/not-a-bounce messages with a failed recipient or map line): ${dangerous.length}`,
	);
	const shownDangerous = opts.misses ? dangerous : dangerous.slice(0, 20);
	for (const f of shownDangerous) out.push(`    ${f}`);
	if (shownDangerous.length < dangerous.length)
		out.push(
			`    ... ${dangerous.length - shownDangerous.length} more (--misses)`,
		);
	out.push(
		`  internal errors (exit 75, bad output, timeouts), all measures: ${errors}`,
	);
	process.stdout.write(`${out.join("\n")}\n`);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
	const opts = parseArgs(process.argv.slice(2));
	if (!existsSync(opts.bin) || !statSync(opts.bin).isFile()) {
		fail(
			`binary not found: ${opts.bin} (build it with \`npm run build\`, or pass --bin PATH)`,
			66,
		);
	}
	if (!existsSync(opts.corpus))
		fail(
			`the labelled corpus is missing: no ${opts.corpus}${opts.corpus === DEFAULT_CORPUS ? " (the default, ../shared/corpus beside the repository)" : ""}; pass --corpus DIR`,
			66,
		);
	const items = loadItems(opts.corpus);
	if (items.length === 0)
		fail(`no expected.jsonl labels under ${opts.corpus}`, 66);
	const started = Date.now();
	let done = 0;
	const progress = !opts.json && process.stderr.isTTY;
	const results = await pool(items, opts.jobs, async (item) => {
		const r = await measure(opts.bin, item);
		done++;
		if (progress && done % 50 === 0)
			process.stderr.write(`\r${done}/${items.length}`);
		return r;
	});
	if (progress) process.stderr.write("\r");
	const elapsedMs = Date.now() - started;
	const sets = [...new Set(items.map((i) => i.set))];
	const summaries = summarise(results, sets);
	const fams = families(results);
	const misses = collectMisses(results);
	for (const r of results) {
		if (r.skipped === "missing file")
			process.stderr.write(`accuracy: missing corpus file ${r.file}\n`);
	}
	if (opts.json) {
		const dangerous = dangerousFiles(results);
		process.stdout.write(
			`${JSON.stringify(
				{
					bin: opts.bin,
					corpus: opts.corpus,
					elapsedMs,
					summary: summaries.map((s) => ({ ...s, line: summaryLine(s) })),
					dangerous,
					families: fams,
					missCauses: causeCounts(misses),
					misses: misses.map((m) => ({ ...m, cause: missCause(m) })),
					results,
				},
				null,
				2,
			)}\n`,
		);
	} else {
		printText(opts, items, summaries, fams, misses, results, elapsedMs);
	}
	if (opts.thresholds !== null) {
		const failures = gate(
			readThresholds(opts.thresholds),
			summaries,
			dangerousFiles(results).length,
		);
		if (failures > 0) process.exitCode = 1;
	}
}

/** `{"sisimai dry-run": 98.6, ...}`: the lowest percent each set and measure may reach. */
function readThresholds(file: string): Map<string, number> {
	let raw: unknown;
	try {
		raw = JSON.parse(readFileSync(file, "utf8"));
	} catch (e) {
		fail(`cannot read thresholds ${file}: ${(e as Error).message}`, 66);
	}
	if (!isRecord(raw)) fail(`${file}: not a JSON object`, 65);
	const out = new Map<string, number>();
	for (const [key, value] of Object.entries(raw)) {
		if (key.startsWith("//")) continue;
		if (typeof value !== "number") fail(`${file}: ${key} is not a number`, 65);
		out.set(key, value);
	}
	return out;
}

/** The CI gate: one check per threshold, plus "nothing dangerous"; returns the failures. */
function gate(
	thresholds: Map<string, number>,
	summaries: SetSummary[],
	dangerous: number,
): number {
	const lines: string[] = [];
	let passed = 0;
	let failed = 0;
	const check = (ok: boolean, line: string): void => {
		if (ok) passed++;
		else failed++;
		lines.push(`  ${ok ? "ok  " : "FAIL"} ${line}`);
	};
	for (const [key, minimum] of thresholds) {
		const s = summaries.find((x) => `${x.set} ${x.measure}` === key);
		if (s === undefined) check(false, `${key}: not measured (missing set?)`);
		else
			check(
				s.percent >= minimum,
				`${key}: ${s.percent.toFixed(1)}% (at least ${minimum.toFixed(1)}%)`,
			);
	}
	check(dangerous === 0, `dangerous: ${dangerous} (must be 0)`);
	process.stdout.write(
		`Accuracy gate\n${lines.join("\n")}\n${passed} passed, ${failed} failed\n`,
	);
	return failed;
}

await main();
