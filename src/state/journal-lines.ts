import { Buffer } from "node:buffer";
import {
	closeSync,
	constants as fs,
	fstatSync,
	openSync,
	readSync,
} from "node:fs";
import { errnoCode } from "../errors.ts";

/** What a read skipped, for one warning line (issue 11: table survives any data dir). */
export interface LineStats {
	/** Lines longer than the limit: skipped without being held in memory. */
	oversized: number;
	/** Lines that are no record at all (torn, garbage). */
	garbled: number;
	/** The first file a line was skipped in, for the warning. */
	example?: string;
}

export function newLineStats(): LineStats {
	return { oversized: 0, garbled: 0 };
}

const CHUNK = 256 * 1024;
let buffer: Buffer | undefined;

/**
 * Calls `onLine` for each line of a regular file, read in chunks: memory stays at one
 * chunk plus one line of at most `maxLine` bytes, whatever the file's size. A longer
 * line is skipped up to its newline and counted. Opened with O_NOFOLLOW and O_NONBLOCK,
 * so a planted link or a device or FIFO is neither followed nor waited on; anything
 * but a regular file is skipped. Returns the file's mtime, or undefined when it was
 * skipped or is gone.
 */
export function forEachLine(
	path: string,
	maxLine: number,
	stats: LineStats,
	onLine: (line: string, mtimeMs: number) => void,
): number | undefined {
	return forEachLineBytes(path, maxLine, stats, (bytes, start, end, mtimeMs) =>
		onLine(bytes.toString("utf8", start, end), mtimeMs),
	);
}

/**
 * forEachLine without decoding: `onLine` gets the line as `bytes[start, end)`, valid
 * only during the call. The caller decodes what it needs, so a line it passes over
 * costs no allocation at all.
 */
export function forEachLineBytes(
	path: string,
	maxLine: number,
	stats: LineStats,
	onLine: (
		bytes: Buffer,
		start: number,
		end: number,
		mtimeMs: number,
		/** False for a last line without its newline: torn, or being appended now. */
		ended: boolean,
	) => void,
): number | undefined {
	let fd: number;
	try {
		fd = openSync(path, fs.O_RDONLY | fs.O_NOFOLLOW | fs.O_NONBLOCK);
	} catch (error) {
		// removed meanwhile (pruning, an operator), or a symbolic link: not ours to read
		const code = errnoCode(error);
		if (code === "ENOENT" || code === "ELOOP") return undefined;
		throw error;
	}
	try {
		const stat = fstatSync(fd);
		if (!stat.isFile()) return undefined;
		const mtimeMs = stat.mtimeMs;
		buffer ??= Buffer.allocUnsafe(CHUNK);
		const chunk = buffer;
		let carry: Buffer | undefined;
		let skipping = false;
		const skip = () => {
			stats.oversized++;
			stats.example ??= path;
		};
		// what the file held when opened: no read(2) only to meet its end, and a line
		// appended meanwhile counts from the next run
		let left = stat.size;
		for (;;) {
			const n =
				left > 0 ? readSync(fd, chunk, 0, Math.min(CHUNK, left), null) : 0;
			if (n === 0) break;
			left -= n;
			let start = 0;
			for (;;) {
				const nl = chunk.indexOf(10, start);
				if (nl === -1 || nl >= n) {
					if (!skipping) {
						if ((carry?.length ?? 0) + n - start > maxLine) {
							skipping = true;
							carry = undefined;
							skip();
						} else
							carry = carry
								? Buffer.concat([carry, chunk.subarray(start, n)])
								: Buffer.from(chunk.subarray(start, n));
					}
					break;
				}
				if (skipping) skipping = false;
				else if (carry) {
					if (carry.length + nl - start > maxLine) skip();
					else {
						const line = Buffer.concat([carry, chunk.subarray(start, nl)]);
						onLine(line, 0, line.length, mtimeMs, true);
					}
				} else if (nl - start > maxLine) skip();
				else onLine(chunk, start, nl, mtimeMs, true);
				carry = undefined;
				start = nl + 1;
			}
		}
		// a last line without its newline (a torn append) is offered too
		if (!skipping && carry && carry.length > 0)
			onLine(carry, 0, carry.length, mtimeMs, false);
		return mtimeMs;
	} finally {
		closeSync(fd);
	}
}
