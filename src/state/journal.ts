import {
	closeSync,
	type Dir,
	constants as fs,
	fstatSync,
	lstatSync,
	mkdirSync,
	opendirSync,
	openSync,
	readdirSync,
	readFileSync,
	renameSync,
	rmSync,
	statSync,
	unlinkSync,
	writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { DataDirError, errnoCode } from "../errors.ts";
import { DAY_MS } from "../policy/window.ts";
import {
	domainOfFile,
	failureOf,
	type KeyedFailure,
} from "../table/collect.ts";
import {
	appendLines,
	asDataDirError,
	DOMAINS,
	PRUNE_ASIDE,
} from "./data-dir.ts";
import { forEachLine, type LineStats, newLineStats } from "./journal-lines.ts";
import { yyyymmdd } from "./record.ts";
import { giveToDirOwner } from "./safe-fs.ts";

/** A file or directory just created goes to the owner of the directory it is in. */
function ownLikeDir(fd: number, path: string): void {
	giveToDirOwner(fd, statSync(dirname(path)));
}

/**
 * The journal (issue 15): beside `domains/<report-domain>`, which stays as the original
 * tool laid it out, ingest appends every failure it records to `journal/YYYYMMDD` (the
 * UTC day of the failure), one short line `[at, cause, domain, address]` with the map
 * key already derived (src/table/collect.ts failureOf). `table` reads only the days of
 * its look-back instead of stat-ing and parsing every domain file.
 *
 * Trust: `journal/.complete` is written by a full rebuild from the domain files. The
 * journal is used only while that marker is there and `domains/` has not changed (a
 * file created or removed: the original tool's ingest, rsync, an operator) since the
 * newest journal write; else `table` rebuilds it. Ingest writes the domain file first,
 * then the journal, so its own new files never look foreign.
 */
export const JOURNAL = "journal";
const MARKER = ".complete";
const MARKER_TEXT = "dmarc-dsn-processor journal 1\n";

/** The longest domain-file line read: ours are at most 4 KiB (MAX_RECORD_LINE). */
export const MAX_DOMAIN_LINE = 64 * 1024;
/** A journal line holds an address, a domain and a cause: far less than this. */
export const MAX_JOURNAL_LINE = 2048;

const DAY_NAME = /^\d{8}$/;

export function dayOf(at: number): string | undefined {
	if (!Number.isFinite(at)) return undefined;
	const day = yyyymmdd(new Date(at));
	return DAY_NAME.test(day) ? day : undefined;
}

/** `[at, cause, domain, key]`, and a fifth element 1 for an expiry (it counts when it repeats). */
function entryLine(keyed: KeyedFailure): string {
	const { at, cause, domain, expired } = keyed.failure;
	const entry = [at, cause, domain, keyed.address];
	return JSON.stringify(expired ? [...entry, 1] : entry);
}

/**
 * Appends the failures of one ingest to the journal, one O_APPEND write per day
 * (requirements R20: concurrent writers never interleave).
 */
export function appendJournal(
	dataDir: string,
	failures: readonly KeyedFailure[],
): void {
	const byDay = new Map<string, string[]>();
	for (const keyed of failures) {
		const day = dayOf(keyed.failure.at);
		if (day === undefined) continue;
		const lines = byDay.get(day) ?? [];
		lines.push(entryLine(keyed));
		byDay.set(day, lines);
	}
	if (byDay.size === 0) return;
	const dir = ensureJournalDir(dataDir);
	for (const [day, lines] of byDay) appendLines(join(dir, day), lines);
}

/**
 * Records an ingest's lines of `domains/<name>` in the journal too. When that fails
 * (disk full) the record is safe in the domain file: the journal loses its marker, so
 * the next `table` rebuilds it, and ingest still succeeds.
 */
export function journalRecords(
	dataDir: string,
	name: string,
	lines: readonly string[],
	at: number,
): void {
	const domain = domainOfFile(name);
	if (domain === undefined) return;
	const failures: KeyedFailure[] = [];
	for (const line of lines) {
		const found = failureOf(line, domain, at);
		if (typeof found === "object") failures.push(found);
	}
	try {
		appendJournal(dataDir, failures);
	} catch (error) {
		try {
			unlinkSync(join(dataDir, JOURNAL, MARKER));
		} catch (unlinkError) {
			if (errnoCode(unlinkError) !== "ENOENT") throw error;
		}
	}
}

/**
 * journal/ as a real directory, created like the data dir's owner's; a link or file
 * planted in its place is removed (unlink never follows a link).
 */
function ensureJournalDir(dataDir: string): string {
	const dir = join(dataDir, JOURNAL);
	try {
		// the common case, one lstat: it is there
		if (lstatSync(dir).isDirectory()) return dir;
		unlinkSync(dir);
	} catch (error) {
		if (errnoCode(error) !== "ENOENT") throw asDataDirError(error, dir);
	}
	try {
		mkdirSync(dir, { mode: 0o755 });
		const fd = openSync(dir, fs.O_RDONLY | fs.O_DIRECTORY | fs.O_NOFOLLOW);
		try {
			ownLikeDir(fd, dir);
		} finally {
			closeSync(fd);
		}
	} catch (error) {
		// another ingest made it meanwhile
		if (errnoCode(error) !== "EEXIST") throw asDataDirError(error, dir);
		if (!lstatSync(dir).isDirectory())
			throw new DataDirError(`${dir} is not a directory`, "ENOTDIR");
	}
	return dir;
}

/** The journal's day files, oldest first. */
export function dayFiles(dataDir: string): string[] {
	try {
		// root's table never lists (nor prunes) a directory through a planted link (issue 11)
		if (!lstatSync(join(dataDir, JOURNAL)).isDirectory()) return [];
		return readdirSync(join(dataDir, JOURNAL))
			.filter((name) => DAY_NAME.test(name))
			.sort();
	} catch (error) {
		if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR")
			return [];
		throw asDataDirError(error, join(dataDir, JOURNAL));
	}
}

function mtimeOf(path: string): number | undefined {
	try {
		return lstatSync(path).mtimeMs;
	} catch {
		return undefined;
	}
}

/** Why a journal is rebuilt when another tool (or rsync) changed domains/. */
export const STALE =
	"domain files added or removed since the journal was written";

/** Why the journal cannot be used as it is, or undefined when it can. */
export function journalDistrust(dataDir: string): string | undefined {
	const dir = join(dataDir, JOURNAL);
	let marker: string;
	try {
		if (!lstatSync(dir).isDirectory()) return "journal is not a directory";
		marker = readSmall(join(dir, MARKER));
	} catch (error) {
		return errnoCode(error) === "ENOENT" ? "no journal" : "journal unreadable";
	}
	if (marker !== MARKER_TEXT) return "journal incomplete";
	// ingest writes today's file (yesterday's just before midnight); the newest name
	// may be a day in the future that a record with a wrong date made
	const days = dayFiles(dataDir);
	const today = Date.now();
	const newest = Math.max(
		...[
			MARKER,
			days[days.length - 1] ?? MARKER,
			dayOf(today) ?? MARKER,
			dayOf(today - DAY_MS) ?? MARKER,
		].map((name) => mtimeOf(join(dir, name)) ?? 0),
	);
	const domains = mtimeOf(join(dataDir, DOMAINS));
	if (domains !== undefined && domains > newest) return STALE;
	return undefined;
}

function readSmall(file: string): string {
	const fd = openSync(file, fs.O_RDONLY | fs.O_NOFOLLOW | fs.O_NONBLOCK);
	try {
		if (!fstatSync(fd).isFile() || fstatSync(fd).size > 4096) return "";
		return readFileSync(fd, "utf8");
	} finally {
		closeSync(fd);
	}
}

/** A link or anything else planted where a day file belongs goes (unlink never follows). */
function removeIfNotRegular(path: string): void {
	try {
		if (!lstatSync(path).isFile()) unlinkSync(path);
	} catch (error) {
		if (errnoCode(error) !== "ENOENT") throw error;
	}
}

/** Writes the marker: a temporary file created exclusively, then rename(2). */
function writeMarker(dir: string): void {
	const temp = join(dir, `${MARKER}.tmp.${process.pid}`);
	rmSync(temp, { force: true });
	const fd = openSync(
		temp,
		fs.O_WRONLY | fs.O_CREAT | fs.O_EXCL | fs.O_NOFOLLOW,
		0o644,
	);
	try {
		ownLikeDir(fd, temp);
		writeSync(fd, MARKER_TEXT);
	} finally {
		closeSync(fd);
	}
	renameSync(temp, join(dir, MARKER));
}

/**
 * Every failure of every domain file, streamed: each line is read with a bounded
 * length, garbled and oversized lines are counted in `stats`, and memory holds one
 * line at a time (attack 14 of issue 11: a 3 GB domain file does not stop the map).
 * Returns the number of domain files read.
 */
export function scanDomainFiles(
	dataDir: string,
	onFailure: (keyed: KeyedFailure) => void,
	stats: LineStats,
	maxLine = MAX_DOMAIN_LINE,
): number {
	const domains = join(dataDir, DOMAINS);
	// entry by entry: a million names are never held at once
	let entries: Dir;
	try {
		entries = opendirSync(domains);
	} catch (error) {
		if (errnoCode(error) === "ENOENT") return 0;
		throw asDataDirError(error, domains);
	}
	let files = 0;
	try {
		for (;;) {
			const entry = entries.readSync();
			if (entry === null) break;
			files += scanDomainFile(domains, entry.name, onFailure, stats, maxLine);
		}
	} catch (error) {
		throw asDataDirError(error, domains);
	} finally {
		entries.closeSync();
	}
	return files;
}

/** One domain file's failures; 1 when it was read, 0 when it is no domain file. */
function scanDomainFile(
	domains: string,
	name: string,
	onFailure: (keyed: KeyedFailure) => void,
	stats: LineStats,
	maxLine: number,
): number {
	// a file a prune set aside (and did not put back yet) still holds its domain's records
	const domain = domainOfFile(
		name.startsWith(PRUNE_ASIDE) ? name.slice(PRUNE_ASIDE.length) : name,
	);
	if (domain === undefined) return 0;
	const path = join(domains, name);
	try {
		const read = forEachLine(path, maxLine, stats, (line, mtimeMs) => {
			if (line.trim() === "") return;
			const found = failureOf(line, domain, mtimeMs);
			if (found === "garbled") {
				stats.garbled++;
				stats.example ??= path;
			} else if (found) onFailure(found);
		});
		return read === undefined ? 0 : 1;
	} catch (error) {
		throw asDataDirError(error, path);
	}
}

/** Flush day buffers to disk past this many bytes in all: memory stays bounded. */
const REBUILD_BUFFER = 8 * 1024 * 1024;

/**
 * Rebuilds the journal from a full scan of the domain files (a data dir the original
 * tool wrote, a journal that cannot be trusted, `table --rebuild-journal`). Each day is
 * written to a temporary file and renamed over the old one, except today and
 * yesterday (by this host's clock), which ingest may be appending to right now: those
 * get the rebuilt lines appended, so no concurrent record is lost (a duplicate line
 * changes no episode). Returns the number of domain files read.
 */
export function rebuildJournal(
	dataDir: string,
	stats: LineStats,
	maxLine = MAX_DOMAIN_LINE,
): number {
	try {
		return rebuild(dataDir, stats, maxLine);
	} catch (error) {
		throw asDataDirError(error, join(dataDir, JOURNAL));
	}
}

function rebuild(dataDir: string, stats: LineStats, maxLine: number): number {
	const dir = ensureJournalDir(dataDir);
	// the old marker goes first: a rebuild that dies halfway leaves no trusted journal
	rmSync(join(dir, MARKER), { force: true });
	const prefix = `.rebuild.${process.pid}.`;
	for (const name of readdirSync(dir))
		if (name.startsWith(prefix)) unlinkSync(join(dir, name));
	const pending = new Map<string, string[]>();
	const written = new Set<string>();
	let buffered = 0;
	const flush = () => {
		for (const [day, lines] of pending) {
			appendLines(join(dir, prefix + day), lines);
			written.add(day);
		}
		pending.clear();
		buffered = 0;
	};
	const files = scanDomainFiles(
		dataDir,
		(keyed) => {
			const day = dayOf(keyed.failure.at);
			if (day === undefined) return;
			const line = entryLine(keyed);
			const lines = pending.get(day);
			if (lines) lines.push(line);
			else pending.set(day, [line]);
			buffered += line.length + 1;
			if (buffered > REBUILD_BUFFER) flush();
		},
		stats,
		maxLine,
	);
	flush();
	const live = dayOf(Date.now() - DAY_MS) ?? "";
	for (const day of written) {
		const temp = join(dir, prefix + day);
		if (day >= live) {
			const path = join(dir, day);
			removeIfNotRegular(path);
			// what the day file has already is not appended again
			const present = new Set<string>();
			forEachLine(path, MAX_JOURNAL_LINE, newLineStats(), (line) =>
				present.add(line),
			);
			const missing = readFileSync(temp, "utf8")
				.split("\n")
				.filter((line) => line !== "" && !present.has(line));
			if (missing.length > 0) appendLines(path, missing);
			unlinkSync(temp);
		} else renameSync(temp, join(dir, day));
	}
	// a day no domain file has a record of any more (pruned, released by hand)
	for (const day of dayFiles(dataDir))
		if (day < live && !written.has(day)) unlinkSync(join(dir, day));
	writeMarker(dir);
	return files;
}

/**
 * `table --prune`: removes the journal's days before `before`, as pruneRecords removes
 * those records from the domain files. Call it before pruning the domain files and
 * call what it returns after: pruning renames domain files, which would otherwise make
 * a trusted journal look stale.
 */
export function pruneJournal(dataDir: string, before: number): () => void {
	const trusted = journalDistrust(dataDir) === undefined;
	const first = dayOf(before) ?? "";
	for (const day of dayFiles(dataDir))
		if (day < first) unlinkSync(join(dataDir, JOURNAL, day));
	return () => {
		if (trusted) writeMarker(join(dataDir, JOURNAL));
	};
}
