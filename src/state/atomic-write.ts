import {
	closeSync,
	fsyncSync,
	renameSync,
	rmSync,
	statSync,
	writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { DataDirError, errnoCode } from "../errors.ts";
import {
	createNew,
	giveToDirOwner,
	lstatOptional,
	refused,
} from "./safe-fs.ts";

/**
 * Writes `file` as a whole or not at all: a temporary file in the same directory,
 * fsync, then rename(2), so a cron job never leaves a half-written map behind.
 * Only a regular file is ever replaced: a device (`--output /dev/null` as root) or a
 * link is refused, not turned into a file (issue 11, attack 15). The temporary file
 * is created new (O_EXCL, O_NOFOLLOW): a link planted under its name is never
 * followed (attack 13), and only that new file is handed to the directory's owner.
 */
export function writeFileAtomic(
	file: string,
	text: string | readonly string[],
): void {
	let temp: string | undefined;
	try {
		const existing = lstatOptional(file);
		if (existing && !existing.isFile())
			throw refused(file, "EFTYPE", "a regular file");
		let fd: number | undefined;
		for (let n = 0; fd === undefined && n < 20; n++) {
			const name = `${file}.tmp.${process.pid}.${Math.random().toString(36).slice(2, 10)}`;
			fd = createNew(name);
			if (fd !== undefined) temp = name;
		}
		if (fd === undefined || temp === undefined)
			throw new DataDirError(
				`cannot create a temporary file beside ${file}`,
				"EEXIST",
			);
		try {
			giveToDirOwner(fd, statSync(dirname(file)));
			// piece by piece (render's chunks): never the whole map encoded at once
			const encoder = new TextEncoder();
			for (const piece of typeof text === "string" ? [text] : text) {
				const data = encoder.encode(piece);
				let offset = 0;
				while (offset < data.length) offset += writeSync(fd, data, offset);
			}
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}
		renameSync(temp, file);
	} catch (error) {
		if (temp !== undefined) rmSync(temp, { force: true });
		if (error instanceof DataDirError) throw error;
		throw new DataDirError(
			`cannot write ${file}: ${errnoCode(error) ?? String(error)}`,
			errnoCode(error),
		);
	}
}
