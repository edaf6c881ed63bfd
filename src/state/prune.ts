import { closeSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { DataDirError, errnoCode, TempFailError } from "../errors.ts";
import {
	appendLines,
	asDataDirError,
	DOMAINS,
	openDataDir,
	PRUNE_ASIDE,
	SAVED,
} from "./data-dir.ts";
import { pruneJournal } from "./journal.ts";
import { parseRecordLine } from "./record.ts";
import {
	createNew,
	type DirHandle,
	giveToDirOwner,
	lstatOptional,
	openDir,
	openRegular,
	readLinesFd,
	readRegular,
} from "./safe-fs.ts";

export interface PruneResult {
	readonly records: number;
	readonly files: number;
	readonly saved: number;
}

export interface PruneOptions {
	/** Records older than this can no longer count for any window or repeat count. */
	readonly before: number;
	readonly now: number;
	readonly savedMaxAgeMs: number;
	readonly savedMaxBytes: number;
	/** How long to wait for another prune of the same data dir. */
	readonly waitMs?: number;
}

/** Held while a prune runs: a second prune waits for it, then gives up with 75. */
export const PRUNE_LOCK = "prune.lock";
const ASIDE = PRUNE_ASIDE;
const REWRITE_SLACK_MS = 86_400_000;
/** A lock whose holder cannot be checked (no pid yet, no permission) is stale after this. */
const STALE_MS = 600_000;
/** No prune takes this long: a lock this old is stale even if its pid was reused. */
const LOCK_MAX_MS = 6 * 3_600_000;
/** Kept records are appended back in blocks of about this size. */
const BLOCK = 1 << 20;

/**
 * `table --prune` on one data dir, under its lock: old records go (also from files
 * that are still written to), then quarantined messages past their age or the quota.
 * A data dir without domains/ is not one (an unmounted filesystem?): 66, nothing done.
 */
export function pruneDataDir(dir: string, options: PruneOptions): PruneResult {
	try {
		return pruneLocked(dir, options);
	} catch (error) {
		if (error instanceof TempFailError) throw error;
		throw asDataDirError(error, dir);
	}
}

function pruneLocked(dir: string, options: PruneOptions): PruneResult {
	const root = openDataDir(dir);
	try {
		const domains = openDomains(root);
		const unlock = lock(root, options.waitMs ?? 60_000);
		try {
			// the journal (issue 15) drops the same days, and stays trusted
			const journalPruned = pruneJournal(dir, options.before);
			const records = pruneRecords(domains, options.before);
			journalPruned();
			const saved = pruneSaved(
				root,
				options.now,
				options.savedMaxAgeMs,
				options.savedMaxBytes,
			);
			return { ...records, saved };
		} finally {
			unlock();
			domains.close();
		}
	} finally {
		root.close();
	}
}

/**
 * Removes records older than `before` from every domain file, rewriting a file only
 * when it holds something to drop. Safe beside running ingest processes: the file is
 * renamed away first, so new appends create a new file (and an append that raced the
 * rename is made again there, see appendLines), then the lines still needed are
 * appended back. An aside left by a prune that died is put back first.
 */
function pruneRecords(
	domains: DirHandle,
	before: number,
): Omit<PruneResult, "saved"> {
	let records = 0;
	let files = 0;
	const names = readdirSync(domains.at(""));
	for (const name of names) {
		if (!name.startsWith(ASIDE)) continue;
		const original = name.slice(ASIDE.length);
		if (original === "" || original.startsWith(".")) continue;
		records += putBack(domains, name, original, before);
	}
	for (const name of names) {
		if (name.startsWith(".")) continue;
		const stat = lstatOptional(domains.at(name));
		// links, FIFOs, directories: never read, never touched
		if (!stat?.isFile() || countDroppable(domains.at(name), before) === 0)
			continue;
		const aside = `${ASIDE}${name}`;
		renameSync(domains.at(name), domains.at(aside));
		records += putBack(domains, aside, name, before);
		if (lstatOptional(domains.at(name)) === undefined) files++;
	}
	return { records, files };
}

function keeps(line: string, before: number): boolean {
	if (line.trim() === "") return false;
	const record = parseRecordLine(line, Number.NEGATIVE_INFINITY);
	return record !== undefined && record.at >= before;
}

/**
 * Lines worth a rewrite: garbled ones, and records a day past the horizon. The slack
 * lets the map update script prune on every run (every 10 minutes) while a file still
 * written to is rewritten about once a day, not each time one record ages out.
 */
function countDroppable(path: string, before: number): number {
	const fd = openRegular(path);
	if (fd === undefined) return 0;
	try {
		let drop = 0;
		for (const line of readLinesFd(fd))
			if (line.trim() !== "" && !keeps(line, before - REWRITE_SLACK_MS)) drop++;
		return drop;
	} finally {
		closeSync(fd);
	}
}

/** Appends the lines of `aside` still needed to `name`, removes `aside`; the count dropped. */
function putBack(
	domains: DirHandle,
	aside: string,
	name: string,
	before: number,
): number {
	const fd = openRegular(domains.at(aside));
	if (fd === undefined) return 0;
	let dropped = 0;
	try {
		let block: string[] = [];
		let size = 0;
		for (const line of readLinesFd(fd)) {
			if (!keeps(line, before)) {
				if (line.trim() !== "") dropped++;
				continue;
			}
			block.push(line);
			size += line.length + 1;
			if (size >= BLOCK) {
				appendLines(domains.at(name), block);
				block = [];
				size = 0;
			}
		}
		if (block.length > 0) appendLines(domains.at(name), block);
	} finally {
		closeSync(fd);
	}
	rmSync(domains.at(aside), { force: true });
	return dropped;
}

/**
 * Keeps saved/ within `maxAgeMs` and a total of `maxBytes`: the oldest messages go
 * first. Only regular files found by lstat in saved/ itself are removed; a `saved`
 * that is a link is refused.
 */
function pruneSaved(
	root: DirHandle,
	now: number,
	maxAgeMs: number,
	maxBytes: number,
): number {
	const saved = openDir(root.at(SAVED));
	if (!saved) return 0;
	try {
		const files = readdirSync(saved.at(""))
			.map((name) => ({ name, stat: lstatOptional(saved.at(name)) }))
			.filter((f) => f.stat?.isFile())
			.map((f) => ({
				name: f.name,
				mtimeMs: f.stat?.mtimeMs ?? 0,
				size: f.stat?.size ?? 0,
			}))
			.sort((a, b) => b.mtimeMs - a.mtimeMs);
		let total = 0;
		let removed = 0;
		for (const file of files) {
			total += file.size;
			if (now - file.mtimeMs > maxAgeMs || total > maxBytes) {
				rmSync(saved.at(file.name), { force: true });
				removed++;
			}
		}
		return removed;
	} finally {
		saved.close();
	}
}

/**
 * The prune lock: a file created with O_EXCL holding our pid. A second prune waits
 * for it (polling), takes over a lock whose process is gone, and gives up after
 * `waitMs` with a TempFailError (75: try again later), never a crash (70).
 */
function lock(root: DirHandle, waitMs: number): () => void {
	const path = root.at(PRUNE_LOCK);
	const deadline = Date.now() + waitMs;
	for (;;) {
		const fd = createNew(path, 0o644);
		if (fd !== undefined) {
			try {
				giveToDirOwner(fd, root.stat);
				writeSync(fd, `${process.pid}\n`);
			} finally {
				closeSync(fd);
			}
			return () => rmSync(path, { force: true });
		}
		const holder = Number.parseInt(readRegular(path).trim(), 10);
		// a lock without a pid yet is being written: only an old one is abandoned
		const age = Date.now() - (lstatOptional(path)?.mtimeMs ?? 0);
		const state = Number.isNaN(holder) ? undefined : alive(holder);
		if (
			state === false ||
			age > (state === undefined ? STALE_MS : LOCK_MAX_MS)
		) {
			rmSync(path, { force: true });
			continue;
		}
		if (Date.now() >= deadline)
			throw new TempFailError(
				`another table --prune (pid ${holder}) is running on ${root.path}: try again later`,
			);
		sleep(200);
	}
}

/** Whether the process holding the lock runs; undefined when that cannot be told (Deno without --allow-run). */
function alive(pid: number): boolean | undefined {
	if (!Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		const code = errnoCode(error);
		if (code === "ESRCH") return false;
		if (code === "EPERM") return true;
		// Deno without --allow-run (nor access to /proc): cannot tell
		return undefined;
	}
}

function sleep(ms: number): void {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** domains/ of a data dir to prune; without it, not a data dir (66): nothing is pruned. */
function openDomains(root: DirHandle): DirHandle {
	const domains = openDir(root.at(DOMAINS));
	if (!domains)
		throw new DataDirError(
			`${root.show(DOMAINS)} is missing: not a data dir (not mounted?); nothing pruned`,
			"ENOENT",
		);
	return domains;
}

/** Fails (66, 74) unless `dir` is a data dir that can be pruned: checked before any prune. */
export function checkPrunable(dir: string): void {
	const root = openDataDir(dir);
	try {
		openDomains(root).close();
	} finally {
		root.close();
	}
}
