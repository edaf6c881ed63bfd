// Runs `ingest` on one input in a sandbox and checks what Postfix relies on (the fuzz
// oracle, shared by test/fuzz.test.ts, test/limits.test.ts and scripts/fuzz.ts):
// - exit 0 with one summary line starting "recorded", "ignored" or "quarantined", or
//   exit 75 with "4.3.0 ..."; any other exit, a signal or the time limit is a failure;
// - "recorded" appended whole JSON lines to domains/, "quarantined" saved exactly the
//   input (its first 20 MB when too large) under the name it printed, "ignored" and
//   75 wrote nothing: nothing half-written anywhere;
// - nothing appeared outside the data dir (working directory, TMPDIR, HOME);
// - nothing on stderr (Postfix logs stdout and stderr together).
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

export const MAX_MESSAGE_BYTES = 20 * 1024 * 1024;

/** A saved message over ingest's cap starts with this line (src/state/store.ts): its head follows. */
const CUT = /^X-Dmarc-Dsn-Processor-Saved: first (\d+) of (\d+) bytes\r\n/;

/** The saved bytes without the cut note, and how many bytes of the message it kept. */
function uncut(saved: Uint8Array | undefined): {
	bytes: Uint8Array | undefined;
	kept: number | undefined;
} {
	const head = new TextDecoder("latin1").decode(saved?.subarray(0, 100));
	const m = CUT.exec(head);
	if (!saved || !m) return { bytes: saved, kept: undefined };
	return { bytes: saved.subarray(m[0].length), kept: Number(m[1]) };
}

export type Kind = "recorded" | "ignored" | "quarantined" | "deferred";

export interface Verdict {
	readonly kind: Kind | undefined;
	readonly status: number | null;
	readonly signal: string | null;
	readonly stdout: string;
	readonly stderr: string;
	readonly wallMs: number;
	/** Peak RSS (VmHWM) seen by polling /proc; 0 when unavailable. */
	readonly peakRssMb: number;
	readonly timedOut: boolean;
	readonly problems: readonly string[];
}

export interface IngestCase {
	readonly input: Uint8Array | ReadableStream<Uint8Array>;
	/** Needed for checking a quarantined copy when `input` is a stream. */
	readonly expectedSaved?: Uint8Array;
	readonly queueId?: string;
	readonly extension?: string;
	/** A prepared data dir (default: a fresh one, removed afterwards unless kept). */
	readonly dataDir?: string;
	readonly timeoutMs?: number;
	/** Exit 75 with a healthy data dir counts as a problem (a DSN retried for ever). */
	readonly strictDefer?: boolean;
}

const LINE = /^[^\n]*\n$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;
const DOMAIN_FILE = /^(?:_unknown|[a-z0-9-]+(?:\.[a-z0-9-]+)+)$/;

type Snapshot = Map<string, Uint8Array>;

/** Every file below `dir` with its content (data dirs in tests are small). */
function snapshot(dir: string): Snapshot {
	const files: Snapshot = new Map();
	if (!existsSync(dir)) return files;
	for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
		const path = join(dir, name);
		try {
			if (statSync(path).isFile()) files.set(name, readFileSync(path));
		} catch {
			// gone meanwhile
		}
	}
	return files;
}

function same(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
	return a !== undefined && b !== undefined && Buffer.from(a).equals(b);
}

/** Peak RSS of a running process from /proc (VmHWM never decreases). */
function vmHwmMb(pid: number): number {
	try {
		const status = readFileSync(`/proc/${pid}/status`, "utf8");
		const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
		return kb ? Number(kb) / 1024 : 0;
	} catch {
		return 0;
	}
}

export async function checkedIngest(
	bin: string,
	c: IngestCase,
): Promise<Verdict> {
	const box = mkdtempSync(join(tmpdir(), "ddp-box-"));
	const [cwd, tmp, home] = ["cwd", "tmp", "home"].map((d) => join(box, d)) as [
		string,
		string,
		string,
	];
	const outside = [cwd, tmp, home];
	for (const d of outside) mkdirSync(d);
	const dataDir = c.dataDir ?? join(box, "data");
	if (!c.dataDir) mkdirSync(dataDir);
	const before = snapshot(dataDir);
	const timeoutMs = c.timeoutMs ?? 10_000;
	const started = performance.now();
	const child = Bun.spawn(
		[bin, "ingest", c.queueId ?? "FUZZ", c.extension ?? "", dataDir],
		{
			cwd,
			env: { PATH: "/usr/bin:/bin", LANG: "C", TMPDIR: tmp, HOME: home },
			stdin: c.input,
			stdout: "pipe",
			stderr: "pipe",
		},
	);
	let peak = 0;
	let timedOut = false;
	const poll = setInterval(() => {
		peak = Math.max(peak, vmHwmMb(child.pid));
	}, 5);
	const timer = setTimeout(() => {
		timedOut = true;
		child.kill("SIGKILL");
	}, timeoutMs);
	const [stdout, stderr] = await Promise.all([
		new Response(child.stdout).text(),
		new Response(child.stderr).text(),
	]);
	await child.exited;
	clearTimeout(timer);
	clearInterval(poll);
	const wallMs = performance.now() - started;

	const problems: string[] = [];
	const status = child.exitCode;
	const signal = child.signalCode === null ? null : String(child.signalCode);
	if (timedOut) problems.push(`no exit within ${timeoutMs} ms (killed)`);
	else if (signal) problems.push(`killed by ${signal}`);
	else if (status !== 0 && status !== 75)
		problems.push(`exit ${status}: Postfix would bounce the DSN`);
	if (stderr !== "") problems.push(`stderr: ${stderr.slice(0, 300)}`);
	if (!timedOut && !LINE.test(stdout))
		problems.push(
			`output is not one line: ${JSON.stringify(stdout.slice(0, 200))}`,
		);
	else if (CONTROL.test(stdout))
		problems.push(
			`control characters in the summary: ${JSON.stringify(stdout.slice(0, 200))}`,
		);

	let kind: Kind | undefined;
	const line = stdout.trimEnd();
	if (status === 0 && /^(?:WARNING [^,]*, )?recorded /.test(line))
		kind = "recorded";
	else if (status === 0 && line.startsWith("ignored ")) kind = "ignored";
	else if (status === 0 && line.startsWith("quarantined "))
		kind = "quarantined";
	else if (status === 75 && line.startsWith("4.3.0 ")) kind = "deferred";
	else if (!timedOut && !signal)
		problems.push(`exit ${status} with ${JSON.stringify(line.slice(0, 120))}`);
	if (kind === "deferred" && c.strictDefer)
		problems.push(`deferred with a healthy data dir: ${line.slice(0, 200)}`);

	const after = snapshot(dataDir);
	const changed = [...after.keys()].filter(
		(name) => !same(after.get(name), before.get(name)),
	);
	const removed = [...before.keys()].filter((name) => !after.has(name));
	if (removed.length > 0) problems.push(`removed: ${removed.join(", ")}`);
	const inDomains = changed.filter((n) => n.startsWith("domains/"));
	const inSaved = changed.filter((n) => n.startsWith("saved/"));
	const inJournal = changed.filter((n) => n.startsWith("journal/"));
	const elsewhere = changed.filter(
		(n) =>
			!n.startsWith("domains/") &&
			!n.startsWith("saved/") &&
			!n.startsWith("journal/"),
	);
	if (elsewhere.length > 0)
		problems.push(`unexpected files in the data dir: ${elsewhere.join(", ")}`);
	// the journal (src/state/journal.ts) gets the recorded failures, whole lines only
	if (kind !== "recorded" && inJournal.length > 0)
		problems.push(`journal changed without a record: ${inJournal.join(", ")}`);
	for (const name of inJournal) {
		const old = before.get(name) ?? new Uint8Array();
		const now = after.get(name) ?? new Uint8Array();
		if (!same(now.subarray(0, old.length), old))
			problems.push(`${name}: existing lines changed`);
		const added = Buffer.from(now.subarray(old.length)).toString("utf8");
		if (!added.endsWith("\n")) problems.push(`${name}: torn last line`);
		for (const l of added.split("\n").filter(Boolean)) {
			let entry: unknown;
			try {
				entry = JSON.parse(l);
			} catch {
				entry = undefined;
			}
			// [at, cause, domain, key], and a fifth element 1 for an expiry
			if (
				!Array.isArray(entry) ||
				(entry.length !== 4 && !(entry.length === 5 && entry[4] === 1))
			)
				problems.push(`${name}: not a journal line: ${l.slice(0, 120)}`);
		}
	}

	if (kind === "recorded") {
		if (inDomains.length === 0)
			problems.push("recorded, but domains/ unchanged");
		if (inSaved.length > 0)
			problems.push(`recorded and saved: ${inSaved.join(", ")}`);
		for (const name of inDomains) {
			const file = name.slice("domains/".length);
			if (!DOMAIN_FILE.test(file)) problems.push(`domain file name: ${file}`);
			const old = before.get(name) ?? new Uint8Array();
			const now = after.get(name) ?? new Uint8Array();
			if (!same(now.subarray(0, old.length), old))
				problems.push(`${name}: existing lines changed`);
			const added = Buffer.from(now.subarray(old.length)).toString("utf8");
			if (!added.endsWith("\n")) problems.push(`${name}: torn last line`);
			for (const l of added.split("\n").filter(Boolean)) {
				try {
					const record = JSON.parse(l) as Record<string, unknown>;
					for (const key of ["report_domain", "action", "orig_rcpt", "date"])
						if (!(key in record)) problems.push(`${name}: record lacks ${key}`);
				} catch {
					problems.push(`${name}: not JSON: ${l.slice(0, 120)}`);
				}
			}
		}
	} else if (kind === "quarantined") {
		const path = /: (saved\/\S+)$/.exec(line)?.[1];
		if (inDomains.length > 0)
			problems.push(`quarantined and recorded: ${inDomains.join(", ")}`);
		if (!path || !inSaved.includes(path) || inSaved.length !== 1)
			problems.push(
				`quarantined as ${path}, saved/ changes: ${inSaved.join(", ") || "none"}`,
			);
		else {
			const expected =
				c.expectedSaved ??
				(c.input instanceof Uint8Array ? c.input : undefined);
			const want = line.startsWith("quarantined too-large")
				? expected?.subarray(0, MAX_MESSAGE_BYTES)
				: expected;
			const saved = uncut(after.get(path));
			if (want && !same(saved.bytes, want.subarray(0, saved.kept)))
				problems.push(`${path} is not the message as received`);
		}
	} else if (kind === "ignored" || kind === "deferred" || kind === undefined) {
		// an append that failed on a full disk may leave the domain file it created,
		// empty: removing it could race with another process appending to it
		const written = changed.filter(
			(n) =>
				!(
					kind === "deferred" &&
					n.startsWith("domains/") &&
					!before.has(n) &&
					after.get(n)?.length === 0
				),
		);
		if (written.length > 0)
			problems.push(`${kind ?? "failed"}, yet wrote ${written.join(", ")}`);
	}
	for (const dir of outside) {
		const stray = readdirSync(dir);
		if (stray.length > 0)
			problems.push(
				`wrote outside the data dir: ${relative(box, dir)}/${stray.join(", ")}`,
			);
	}
	rmSync(box, { recursive: true, force: true });
	return {
		kind,
		status,
		signal,
		stdout,
		stderr,
		wallMs,
		peakRssMb: peak,
		timedOut,
		problems,
	};
}

/** Keeps a failing input and its verdict for the lead to replay. */
export function keepFailure(
	dir: string,
	name: string,
	input: Uint8Array,
	details: Record<string, unknown>,
): string {
	mkdirSync(dir, { recursive: true });
	const base = join(dir, name.replace(/[^\w.-]/g, "_"));
	writeFileSync(`${base}.eml`, input);
	writeFileSync(`${base}.json`, `${JSON.stringify(details, null, 2)}\n`);
	return `${base}.eml`;
}
