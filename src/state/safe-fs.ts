import {
	closeSync,
	fchownSync,
	constants as fs,
	fstatSync,
	lstatSync,
	openSync,
	readFileSync,
	readSync,
	type Stats,
	statSync,
} from "node:fs";
import { join } from "node:path";
import { DataDirError, errnoCode } from "../errors.ts";

/*
 * Root (table from cron, a manual ingest) works in a data dir that the pipe user owns
 * (issue 11, attack 13): it must never act through a link that user planted. So:
 * the last component of every path is opened with O_NOFOLLOW and O_NONBLOCK and
 * checked with fstat before a byte is read (a FIFO or /proc/kmsg never blocks us);
 * entries are named relative to an open directory (`/proc/self/fd/N/name`, openat(2)
 * semantics: the directory cannot be swapped for a link between check and use); only
 * a file this process has just created (O_EXCL) is ever chowned.
 */

const READ = fs.O_RDONLY | fs.O_NOFOLLOW | fs.O_NONBLOCK;

/** An open directory: `at(name)` names an entry of exactly this directory. */
export interface DirHandle {
	readonly path: string;
	readonly fd: number;
	readonly stat: Stats;
	at(name: string): string;
	/** The entry's name for messages: the path the operator knows. */
	show(name: string): string;
	close(): void;
}

/**
 * Opens a directory. `follow` is for the data dir itself (the operator's own path);
 * every directory inside it is opened without following a link, so a `domains` or
 * `saved` that is a link or a file is refused (ELOOP, ENOTDIR). Undefined when it
 * does not exist.
 */
export function openDir(path: string, follow = false): DirHandle | undefined {
	let fd: number;
	try {
		fd = openSync(
			path,
			fs.O_RDONLY |
				fs.O_DIRECTORY |
				fs.O_NONBLOCK |
				(follow ? 0 : fs.O_NOFOLLOW),
		);
	} catch (error) {
		const code = errnoCode(error);
		if (code === "ENOENT") return undefined;
		throw refused(path, code, "a directory");
	}
	const stat = fstatSync(fd);
	// openat(2) by way of the fd's magic link; where /proc is missing, the plain path
	const proc = `/proc/self/fd/${fd}`;
	const viaProc = sameFile(proc, stat);
	return {
		path,
		fd,
		stat,
		at: (name) => join(viaProc ? proc : path, name),
		show: (name) => join(path, name),
		close: () => closeSync(fd),
	};
}

function sameFile(path: string, stat: Stats): boolean {
	try {
		const other = statSync(path);
		return other.ino === stat.ino && other.dev === stat.dev;
	} catch {
		return false;
	}
}

/** An lstat that says undefined for a missing entry. */
export function lstatOptional(path: string): Stats | undefined {
	try {
		return lstatSync(path);
	} catch (error) {
		if (errnoCode(error) === "ENOENT") return undefined;
		throw error;
	}
}

/**
 * Opens a regular file for reading: never through a link, never blocking on a FIFO or
 * a device. Undefined when it does not exist; anything but a regular file is refused.
 */
export function openRegular(path: string): number | undefined {
	let fd: number;
	try {
		fd = openSync(path, READ);
	} catch (error) {
		const code = errnoCode(error);
		if (code === "ENOENT") return undefined;
		throw refused(path, code, "a regular file");
	}
	if (!fstatSync(fd).isFile()) {
		closeSync(fd);
		throw refused(path, "EFTYPE", "a regular file");
	}
	return fd;
}

/** The whole of a small state file (released, surge-confirmed, ...); "" when missing. */
export function readRegular(path: string): string {
	const fd = openRegular(path);
	if (fd === undefined) return "";
	try {
		// a regular file (fstat said so): reading to its end cannot block
		return readFileSync(fd, "utf8");
	} finally {
		closeSync(fd);
	}
}

/** Lines of an open file, read in chunks: memory stays bounded by `maxLine`. */
export function* readLinesFd(fd: number, maxLine = 1 << 20): Generator<string> {
	const buffer = Buffer.alloc(1 << 16);
	let carry = "";
	let skipping = false;
	const decoder = new TextDecoder();
	for (;;) {
		const n = readSync(fd, buffer, 0, buffer.length, null);
		const text =
			n > 0
				? decoder.decode(buffer.subarray(0, n), { stream: true })
				: decoder.decode();
		let start = 0;
		for (;;) {
			const nl = text.indexOf("\n", start);
			if (nl < 0) break;
			const line = carry + text.slice(start, nl);
			carry = "";
			if (!skipping && line.length <= maxLine) yield line;
			skipping = false;
			start = nl + 1;
		}
		if (!skipping) {
			carry += text.slice(start);
			// an over-long line is skipped whole: its head is dropped, then the rest
			if (carry.length > maxLine) {
				carry = "";
				skipping = true;
			}
		}
		if (n <= 0) break;
	}
	if (carry !== "" && !skipping) yield carry;
}

/** Creates a file that must not exist yet, never through a link; its fd. */
export function createNew(
	path: string,
	mode = 0o644,
	flags = 0,
): number | undefined {
	try {
		return openSync(
			path,
			fs.O_WRONLY |
				fs.O_CREAT |
				fs.O_EXCL |
				fs.O_NOFOLLOW |
				fs.O_NONBLOCK |
				flags,
			mode,
		);
	} catch (error) {
		if (errnoCode(error) === "EEXIST") return undefined;
		throw error;
	}
}

/**
 * Gives what this process has just created in a directory to that directory's owner
 * (root from cron writing into the pipe user's data dir), so the pipe user can go on
 * appending. Call it only with an fd of something this process created. Only root
 * may chown; no uid lookup (Deno would want --allow-sys for that).
 */
export function giveToDirOwner(fd: number, dir: Stats): void {
	const own = fstatSync(fd);
	if (own.uid === dir.uid && own.gid === dir.gid) return;
	try {
		fchownSync(fd, dir.uid, dir.gid);
	} catch {
		// not root: the file stays ours, as any file we create
	}
}

/** A DataDirError that says what the path should have been. */
export function refused(
	path: string,
	code: string | undefined,
	what: string,
): DataDirError {
	const why =
		code === "ELOOP" || code === "ENOTDIR" || code === "EFTYPE"
			? `is not ${what} (a link or a special file?): refused`
			: (code ?? "cannot be opened");
	return new DataDirError(`${path} ${why}`, code);
}
