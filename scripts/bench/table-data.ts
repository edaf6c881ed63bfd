// Data dirs for the `table` benchmark in the original tool's layout: DATA/domains/<domain>,
// one JSON line per bounce as the original's json.dumps wrote it, the file's mtime at
// its last bounce. About a quarter of the files bounced inside the 30-day window.
//
// Generated once into /tmp (a million files take a while) and reused: the records'
// dates are fixed at generation (`table --now` evaluates ours at that date), while the
// original tool compares mtimes with the real clock, so on reuse the mtimes are shifted
// by the days that passed.
import {
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	renameSync,
	rmSync,
	utimesSync,
	writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { rng } from "./random.ts";

const DAY_MS = 86_400_000;
const MARKER = "bench-data.json";
const VERSION = 1;

interface Marker {
	readonly version: number;
	readonly files: number;
	/** When the records were dated (ms); ours runs with --now at this time. */
	readonly recordsNow: number;
	/** The clock the current mtimes are relative to (ms). */
	readonly mtimeNow: number;
	readonly inside: number;
}

export interface TableData {
	readonly dir: string;
	readonly files: number;
	readonly inside: number;
	/** ISO time for ours' --now. */
	readonly now: string;
	readonly generatedMs: number;
	readonly reused: boolean;
}

function yyyymmdd(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10).replaceAll("-", "");
}

/** One line as Python's json.dumps writes the original's dict (", " and ": "). */
function originalLine(domain: string, address: string, at: number): string {
	return `${JSON.stringify({
		action: "failed",
		final_rcpt: address,
		orig_rcpt: address,
		diag_code: `smtp; 550 5.1.1 <${address}>: Recipient address rejected: User unknown in virtual mailbox table`,
		status: "5.1.1",
		report_domain: domain,
		date: yyyymmdd(at),
	})
		.replaceAll('","', '", "')
		.replaceAll('":"', '": "')}\n`;
}

function plan(i: number, now: number, random: ReturnType<typeof rng>) {
	const domain = `r${i.toString(36)}.report${i % 1000}.example`;
	// a few addresses receive reports for several domains
	const n = i % 10 === 0 ? i % 997 : i;
	const address = `rua${n.toString(36)}@m${n.toString(36)}.example.net`;
	const inside = i % 4 === 0;
	const ageDays = inside ? random.next() * 29 : 31 + random.next() * 365;
	const last = now - ageDays * DAY_MS;
	// one in three files has an earlier bounce, too
	const earlier = i % 3 === 0 ? last - (20 + random.int(200)) * DAY_MS : null;
	return { domain, address, inside, last, earlier };
}

function generate(dir: string, files: number, now: number): Marker {
	const temp = `${dir}.partial`;
	rmSync(temp, { recursive: true, force: true });
	const domains = join(temp, "domains");
	mkdirSync(domains, { recursive: true });
	const random = rng(files);
	let inside = 0;
	for (let i = 0; i < files; i++) {
		const p = plan(i, now, random);
		if (p.inside) inside++;
		const text =
			(p.earlier === null ? "" : originalLine(p.domain, p.address, p.earlier)) +
			originalLine(p.domain, p.address, p.last);
		const file = join(domains, p.domain);
		writeFileSync(file, text);
		utimesSync(file, p.last / 1000, p.last / 1000);
	}
	const marker: Marker = {
		version: VERSION,
		files,
		recordsNow: now,
		mtimeNow: now,
		inside,
	};
	writeFileSync(join(temp, MARKER), JSON.stringify(marker));
	rmSync(dir, { recursive: true, force: true });
	renameSync(temp, dir);
	return marker;
}

/** Moves every mtime forward by the time since the last shift, for the original's clock. */
function shiftMtimes(dir: string, marker: Marker, now: number): Marker {
	const delta = now - marker.mtimeNow;
	if (Math.abs(delta) < DAY_MS / 4) return marker;
	const random = rng(marker.files);
	const domains = join(dir, "domains");
	for (let i = 0; i < marker.files; i++) {
		const p = plan(i, marker.recordsNow, random);
		const at = (p.last + (now - marker.recordsNow)) / 1000;
		utimesSync(join(domains, p.domain), at, at);
	}
	const shifted = { ...marker, mtimeNow: now };
	writeFileSync(join(dir, MARKER), JSON.stringify(shifted));
	return shifted;
}

function readMarker(dir: string): Marker | undefined {
	try {
		const marker = JSON.parse(
			readFileSync(join(dir, MARKER), "utf8"),
		) as Marker;
		return marker.version === VERSION ? marker : undefined;
	} catch {
		return undefined;
	}
}

export function tableData(root: string, files: number): TableData {
	const dir = join(root, `table-${files}`);
	const started = performance.now();
	const now = Date.now();
	let marker = readMarker(dir);
	const reused = marker !== undefined && marker.files === files;
	if (!marker || !reused) marker = generate(dir, files, now);
	else marker = shiftMtimes(dir, marker, now);
	return {
		dir,
		files,
		inside: marker.inside,
		now: new Date(marker.recordsNow).toISOString(),
		generatedMs: performance.now() - started,
		reused,
	};
}

/**
 * Reads every domain file once, so that the runs compared find the same warm page cache
 * (a million small files may have been evicted since they were generated). Returns ms.
 */
export function warmPageCache(dir: string): number {
	const started = performance.now();
	const domains = join(dir, "domains");
	for (const name of readdirSync(domains)) readFileSync(join(domains, name));
	return performance.now() - started;
}

/** Domain files actually present (a sanity check after a reuse). */
export function countDomainFiles(dir: string): number {
	const domains = join(dir, "domains");
	return existsSync(domains) ? readdirSync(domains).length : 0;
}
