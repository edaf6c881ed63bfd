import {
	closeSync,
	fsyncSync,
	openSync,
	renameSync,
	rmSync,
	writeSync,
} from "node:fs";
import { DataDirError, errnoCode } from "../errors.ts";
import { ownLikeDir } from "./data-dir.ts";

/**
 * Writes `file` as a whole or not at all: a temporary file in the same directory,
 * fsync, then rename(2), so a cron job never leaves a half-written map behind.
 */
export function writeFileAtomic(file: string, text: string): void {
	const temp = `${file}.tmp.${process.pid}`;
	try {
		const fd = openSync(temp, "w", 0o644);
		try {
			ownLikeDir(fd, temp);
			const data = new TextEncoder().encode(text);
			let offset = 0;
			while (offset < data.length) offset += writeSync(fd, data, offset);
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}
		renameSync(temp, file);
	} catch (error) {
		rmSync(temp, { force: true });
		throw new DataDirError(
			`cannot write ${file}: ${errnoCode(error) ?? String(error)}`,
			errnoCode(error),
		);
	}
}
