import {
	closeSync,
	existsSync,
	fchownSync,
	constants as fs,
	fstatSync,
	ftruncateSync,
	mkdirSync,
	openSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { DataDirError, errnoCode } from "../errors.ts";

export const DOMAINS = "domains";
export const SAVED = "saved";

/**
 * Checks the data dir and creates its sub-directories. A missing or unusable data dir
 * is a DataDirError: transient for ingest (Postfix keeps the DSN), an error for table.
 */
export function prepareDataDir(dir: string): void {
	try {
		if (!statSync(dir).isDirectory())
			throw new DataDirError(`${dir} is not a directory`, "ENOTDIR");
		for (const sub of [DOMAINS, SAVED])
			mkdirSync(join(dir, sub), { recursive: true, mode: 0o755 });
	} catch (error) {
		throw asDataDirError(error, dir);
	}
}

/**
 * Appends lines with one write(2) on an O_APPEND descriptor, so concurrent ingest
 * processes never interleave (requirements R20). On a short write (disk full) the
 * file is cut back when nobody appended meanwhile, and the error is raised.
 */
export function appendLines(file: string, lines: readonly string[]): void {
	const data = new TextEncoder().encode(lines.map((l) => `${l}\n`).join(""));
	let fd: number | undefined;
	try {
		fd = openSync(file, fs.O_WRONLY | fs.O_APPEND | fs.O_CREAT, 0o644);
		ownLikeDir(fd, file);
		const before = fstatSync(fd).size;
		let written = 0;
		try {
			written = writeSync(fd, data);
		} finally {
			if (written !== data.length) undoAppend(fd, before, written);
		}
		if (written !== data.length)
			throw new DataDirError(`short write to ${file}`, "ENOSPC");
	} catch (error) {
		throw asDataDirError(error, file);
	} finally {
		if (fd !== undefined) closeSync(fd);
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
		fd = openSync(file, fs.O_WRONLY | fs.O_CREAT | fs.O_EXCL, 0o644);
		let offset = 0;
		while (offset < data.length) offset += writeSync(fd, data, offset);
		return true;
	} catch (error) {
		if (errnoCode(error) === "EEXIST") return false;
		// disk full halfway: no partial message stays behind; Postfix retries it whole
		if (fd !== undefined) rmSync(file, { force: true });
		throw asDataDirError(error, file);
	} finally {
		if (fd !== undefined) closeSync(fd);
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
 */
export function* readDomainFiles(
	dir: string,
	notBefore = Number.NEGATIVE_INFINITY,
): Generator<DomainFile> {
	const domains = join(dir, DOMAINS);
	let names: string[];
	try {
		if (!statSync(dir).isDirectory())
			throw new DataDirError(`${dir} is not a directory`, "ENOTDIR");
		// a new data dir has no domains/ until the first bounce: an empty map, not an error
		names = existsSync(domains) ? readdirSync(domains) : [];
	} catch (error) {
		throw asDataDirError(error, domains);
	}
	for (const name of names) {
		const path = join(domains, name);
		let file: DomainFile | undefined;
		try {
			const stat = statSync(path);
			if (stat.isFile() && stat.mtimeMs >= notBefore)
				file = {
					name,
					mtimeMs: stat.mtimeMs,
					text: readFileSync(path, "utf8"),
				};
		} catch (error) {
			// removed while we read (pruning, an operator): not an error
			if (errnoCode(error) !== "ENOENT") throw asDataDirError(error, path);
		}
		if (file) yield file;
	}
}

function asDataDirError(error: unknown, path: string): DataDirError {
	if (error instanceof DataDirError) return error;
	const code = errnoCode(error);
	return new DataDirError(
		`${path}: ${code ?? (error instanceof Error ? error.message : String(error))}`,
		code,
	);
}

/**
 * Gives a file root creates in the data dir (table --prune, --release, --confirm-surge
 * run from root's cron) to the dir's owner, so the pipe user (nobody) can still append.
 * Only root may chown, and only a file whose owner differs needs it; no uid lookup
 * (Deno would want --allow-sys for that).
 */
export function ownLikeDir(fd: number, file: string): void {
	const dir = statSync(dirname(file));
	const own = fstatSync(fd);
	if (own.uid === dir.uid && own.gid === dir.gid) return;
	try {
		fchownSync(fd, dir.uid, dir.gid);
	} catch {
		// not root: the file stays ours, as any file we create
	}
}
