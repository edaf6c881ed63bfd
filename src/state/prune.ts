import {
	readdirSync,
	readFileSync,
	renameSync,
	rmSync,
	statSync,
} from "node:fs";
import { join } from "node:path";
import { errnoCode } from "../errors.ts";
import { appendLines, DOMAINS, SAVED } from "./data-dir.ts";
import { pruneJournal } from "./journal.ts";
import { parseRecordLine } from "./record.ts";

export interface PruneResult {
	readonly records: number;
	readonly files: number;
	readonly saved: number;
}

/**
 * Removes records older than `before` (they can no longer count for any window or
 * repeat count) and quarantined messages past their retention. Safe beside running
 * ingest processes: a domain file is first renamed away, so new appends create a new
 * file, then the lines still needed are appended back (one write, O_APPEND).
 */
export function pruneRecords(
	dir: string,
	before: number,
): Omit<PruneResult, "saved"> {
	const domains = join(dir, DOMAINS);
	const journalPruned = pruneJournal(dir, before);
	let records = 0;
	let files = 0;
	for (const name of readdirSync(domains)) {
		if (name.startsWith(".")) continue;
		const path = join(domains, name);
		const stat = statSync(path);
		if (!stat.isFile() || stat.mtimeMs >= before) continue;
		// every record is older than the file's last write: only whole files can go
		const aside = join(domains, `.prune.${name}.${process.pid}`);
		renameSync(path, aside);
		const lines = readFileSync(aside, "utf8")
			.split("\n")
			.filter((l) => l.trim() !== "");
		const keep = lines.filter(
			(l) => (parseRecordLine(l, stat.mtimeMs)?.at ?? 0) >= before,
		);
		if (keep.length > 0) appendLines(path, keep);
		else files++;
		records += lines.length - keep.length;
		rmSync(aside, { force: true });
	}
	journalPruned();
	return { records, files };
}

/** Keeps saved/ within `maxAge` and `maxBytes`: the oldest messages go first. */
export function pruneSaved(
	dir: string,
	now: number,
	maxAgeMs: number,
	maxBytes: number,
): number {
	const saved = join(dir, SAVED);
	let names: string[];
	try {
		names = readdirSync(saved);
	} catch (error) {
		if (errnoCode(error) === "ENOENT") return 0;
		throw error;
	}
	const files = names
		.map((name) => {
			const stat = statSync(join(saved, name));
			return {
				name,
				mtimeMs: stat.mtimeMs,
				size: stat.size,
				isFile: stat.isFile(),
			};
		})
		.filter((f) => f.isFile)
		.sort((a, b) => b.mtimeMs - a.mtimeMs);
	let total = 0;
	let removed = 0;
	for (const file of files) {
		total += file.size;
		if (now - file.mtimeMs > maxAgeMs || total > maxBytes) {
			rmSync(join(saved, file.name), { force: true });
			removed++;
		}
	}
	return removed;
}
