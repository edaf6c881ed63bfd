import {
	closeSync,
	constants as fs,
	fstatSync,
	ftruncateSync,
	mkdirSync,
	openSync,
	readdirSync,
	rmSync,
	statSync,
	writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { DataDirError, errnoCode } from "../errors.ts";
import {
	createNew,
	type DirHandle,
	giveToDirOwner,
	lstatOptional,
	openDir,
	readRegular,
	refused,
} from "./safe-fs.ts";

export const DOMAINS = "domains";
export const SAVED = "saved";
/**
 * A domain file being rewritten by `table --prune` is renamed to `.~<name>` first (no
 * domain starts with `~`, and a 253-character domain name still fits in 255 bytes).
 */
export const PRUNE_ASIDE = ".~";

/**
 * Checks the data dir and creates its sub-directories. A missing or unusable data dir
 * is a DataDirError: transient for ingest (Postfix keeps the DSN), an error for table.
 * A `domains` or `saved` that is a link or a file is refused; a directory this process
 * creates (as root, in the pipe user's data dir) is handed to the data dir's owner.
 */
export function prepareDataDir(dir: string): void {
	try {
		const root = openDataDir(dir);
		try {
			for (const sub of [DOMAINS, SAVED]) ensureSubdir(root, sub).close();
		} finally {
			root.close();
		}
	} catch (error) {
		throw asDataDirError(error, dir);
	}
}

/** The data dir itself (the operator's path: a link to it is followed). */
export function openDataDir(dir: string): DirHandle {
	const root = openDir(dir, true);
	if (!root) throw new DataDirError(`${dir}: ENOENT`, "ENOENT");
	return root;
}

/** A sub-directory of the data dir, created (and given to its owner) when missing. */
export function ensureSubdir(root: DirHandle, name: string): DirHandle {
	// the common case first, without a failed call (an error costs every ingest): it is there
	const there = openDir(root.at(name));
	if (there) return there;
	let created = false;
	try {
		mkdirSync(root.at(name), { mode: 0o755 });
		created = true;
	} catch (error) {
		if (errnoCode(error) !== "EEXIST")
			throw asDataDirError(error, root.show(name));
	}
	const sub = openDir(root.at(name));
	if (!sub) throw new DataDirError(`${root.show(name)}: ENOENT`, "ENOENT");
	if (created) giveToDirOwner(sub.fd, root.stat);
	return sub;
}

/**
 * Appends lines with one write(2) on an O_APPEND descriptor, so concurrent ingest
 * processes never interleave (requirements R20). On a short write (disk full) the
 * file is cut back when nobody appended meanwhile, and the error is raised.
 *
 * `table --prune` rewrites a domain file by renaming it away first: when the file
 * written to is no longer the one at `file` once written (renamed meanwhile), the
 * lines are appended again to the new file, so no record is lost to a prune (issue 11,
 * attack 16); at worst a record is there twice, which counts as one bounce.
 */
export function appendLines(file: string, lines: readonly string[]): void {
	const data = new TextEncoder().encode(lines.map((l) => `${l}\n`).join(""));
	for (let attempt = 0; attempt < 5; attempt++)
		if (appendOnce(file, data)) return;
	throw new DataDirError(`${file} kept being replaced while appending`);
}

/** One append; false when the file was renamed away or created by another ingest meanwhile. */
function appendOnce(file: string, data: Uint8Array): boolean {
	let fd: number | undefined;
	try {
		// the common case first, without a failed call (an error costs every ingest): the
		// file is there; else it is created, or made by another ingest meanwhile: try again
		fd = openToAppend(file);
		if (fd === undefined) {
			fd = createNew(file, 0o644, fs.O_APPEND);
			if (fd === undefined) return false;
			giveToDirOwner(fd, statSync(dirname(file)));
		}
		const stat = fstatSync(fd);
		if (!stat.isFile()) throw refused(file, "EFTYPE", "a regular file");
		const before = stat.size;
		let written = 0;
		try {
			written = writeSync(fd, data);
		} finally {
			if (written !== data.length) undoAppend(fd, before, written);
		}
		if (written !== data.length)
			throw new DataDirError(`short write to ${file}`, "ENOSPC");
		const now = lstatOptional(file);
		return now !== undefined && now.ino === stat.ino && now.dev === stat.dev;
	} catch (error) {
		throw asDataDirError(error, file);
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
}

/** An existing file opened to append; undefined when there is none. */
function openToAppend(file: string): number | undefined {
	try {
		return openSync(
			file,
			fs.O_WRONLY | fs.O_APPEND | fs.O_NOFOLLOW | fs.O_NONBLOCK,
		);
	} catch (error) {
		if (errnoCode(error) === "ENOENT") return undefined;
		throw error;
	}
}

function undoAppend(fd: number, before: number, written: number): void {
	try {
		if (fstatSync(fd).size === before + written) ftruncateSync(fd, before);
	} catch {
		// the reader skips a torn line; nothing more can be done here
	}
}

/** Writes a new file that must not exist yet; returns false when it does. */
export function createExclusive(file: string, data: Uint8Array): boolean {
	let fd: number | undefined;
	try {
		fd = createNew(file);
		if (fd === undefined) return false;
		giveToDirOwner(fd, statSync(dirname(file)));
		let offset = 0;
		while (offset < data.length) offset += writeSync(fd, data, offset);
		return true;
	} catch (error) {
		// disk full halfway: no partial message stays behind; Postfix retries it whole
		if (fd !== undefined) rmSync(file, { force: true });
		throw asDataDirError(error, file);
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
}

/** Whether `dir` has a domains/ (an empty new data dir has none until the first bounce). */
export function hasDomains(dir: string): boolean {
	const root = openDataDir(dir);
	try {
		const domains = openDir(root.at(DOMAINS));
		domains?.close();
		return domains !== undefined;
	} catch (error) {
		throw asDataDirError(error, root.show(DOMAINS));
	} finally {
		root.close();
	}
}

export interface DomainFile {
	readonly name: string;
	readonly mtimeMs: number;
	readonly text: string;
}

/**
 * The regular files in domains/, one at a time (a data dir of a million files is not
 * held in memory). A file last written before `notBefore` holds no record newer than
 * that, so it is not even opened: only a stat per file is paid for old history.
 * Links and special files (a FIFO, a link to /proc/kmsg) are skipped unread. A file
 * that `table --prune` has set aside while it rewrites it (`.~<name>`) is read as
 * `<name>`, so a map built meanwhile misses nothing (a record may be read twice: it
 * counts once).
 */
export function* readDomainFiles(
	dir: string,
	notBefore = Number.NEGATIVE_INFINITY,
): Generator<DomainFile> {
	let root: DirHandle | undefined;
	let domains: DirHandle | undefined;
	let names: string[];
	try {
		root = openDataDir(dir);
		// a new data dir has no domains/ until the first bounce: an empty map, not an error
		domains = openDir(root.at(DOMAINS));
		names = domains ? readdirSync(domains.at("")) : [];
	} catch (error) {
		root?.close();
		domains?.close();
		throw asDataDirError(error, `${dir}/${DOMAINS}`);
	}
	try {
		for (const name of names) {
			if (!domains) break;
			let file: DomainFile | undefined;
			try {
				const stat = lstatOptional(domains.at(name));
				if (stat?.isFile() && stat.mtimeMs >= notBefore)
					file = {
						name: name.startsWith(PRUNE_ASIDE)
							? name.slice(PRUNE_ASIDE.length)
							: name,
						mtimeMs: stat.mtimeMs,
						text: readRegular(domains.at(name)),
					};
			} catch (error) {
				// swapped for a link or a FIFO after the lstat: skipped like one
				if (error instanceof DataDirError && error.code === "EFTYPE") continue;
				if (error instanceof DataDirError && error.code === "ELOOP") continue;
				// removed while we read (pruning, an operator): not an error
				if (errnoCode(error) !== "ENOENT")
					throw asDataDirError(error, domains.show(name));
			}
			if (file) yield file;
		}
	} finally {
		domains?.close();
		root?.close();
	}
}

export function asDataDirError(error: unknown, path: string): DataDirError {
	if (error instanceof DataDirError) return error;
	const code = errnoCode(error);
	return new DataDirError(
		`${path}: ${code ?? (error instanceof Error ? error.message : String(error))}`,
		code,
	);
}
