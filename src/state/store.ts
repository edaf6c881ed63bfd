import { Buffer } from "node:buffer";
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Decision } from "../decide.ts";
import { appendLines, createExclusive, DOMAINS, SAVED } from "./data-dir.ts";
import { journalRecords } from "./journal.ts";
import {
	recordLine,
	type StoredRecord,
	UNKNOWN_DOMAIN,
	yyyymmdd,
} from "./record.ts";

/**
 * Appends one JSON line per suppressed recipient to `domains/<report_domain>`, or to
 * the reserved UNKNOWN_DOMAIN file when nothing named the domain, and the same
 * failures to the journal that `table` reads. Returns the file name.
 * The domain is a validated A-label (normalizeDomain), so it cannot leave domains/.
 */
export function recordFailures(
	dataDir: string,
	decision: Decision,
	queueId: string,
	now: Date,
): string {
	const name = decision.report_domain ?? UNKNOWN_DOMAIN;
	const lines = decision.recipients
		.filter(
			(r) =>
				r.suppress ||
				r.hold === "sender-side" ||
				r.hold === "expired-unreachable",
		)
		.map((r) => {
			const record: StoredRecord = {
				report_domain: name,
				action: r.action,
				status: r.status,
				final_rcpt: r.final_rcpt,
				orig_rcpt: r.address,
				diag_code: r.diagnostic,
				date: yyyymmdd(now),
				time: now.toISOString(),
				queue_id: queueId,
				reporting_mta: decision.reporting_mta,
				remote_mta: r.remote_mta,
				detector: decision.detector,
				cause: r.cause,
			};
			return recordLine(record);
		});
	appendLines(join(dataDir, DOMAINS, name), lines);
	// after the domain file: a journal newer than domains/ is one that saw the new file
	journalRecords(dataDir, name, lines, now.getTime());
	return name;
}

/**
 * Storage stays bounded (issue 11): anyone can mail the report address, so a saved
 * message keeps at most its first SAVED_MAX_BYTES (enough for any real DSN and its
 * returned headers), and once saved/ holds SAVED_QUOTA_BYTES only SAVED_HEAD_BYTES
 * (the headers) of each further message. `table --prune` (`--saved-max-mb`, 100 by
 * default) brings saved/ back under the quota later.
 */
export const SAVED_MAX_BYTES = 1024 * 1024;
export const SAVED_QUOTA_BYTES = 100 * 1024 * 1024;
export const SAVED_HEAD_BYTES = 4 * 1024;

/** First line of a saved file that was cut: a header field, so it still reads as mail. */
export const CUT_FIELD = "X-Dmarc-Dsn-Processor-Saved";

/**
 * Keeps an unusable message as `saved/<queue_id>.<reason>`; never overwrites: a second
 * message with the same name gets `.1`, `.2`, ... A message over the cap is kept cut,
 * under a first line `X-Dmarc-Dsn-Processor-Saved: first N of M bytes`. `size` is the
 * size as received when `raw` is already only its start. Returns the path below the
 * data dir.
 */
export function quarantine(
	dataDir: string,
	raw: Uint8Array,
	queueId: string,
	reason: string,
	size = raw.length,
): string {
	const base = `${safeName(queueId)}.${safeName(reason)}`;
	const limit =
		savedBytes(join(dataDir, SAVED)) >= SAVED_QUOTA_BYTES
			? SAVED_HEAD_BYTES
			: SAVED_MAX_BYTES;
	const data =
		size <= limit
			? raw
			: Buffer.concat([
					new TextEncoder().encode(
						`${CUT_FIELD}: first ${Math.min(limit, raw.length)} of ${size} bytes\r\n`,
					),
					raw.subarray(0, limit),
				]);
	for (let n = 0; n < 1000; n++) {
		const name = n === 0 ? base : `${base}.${n}`;
		if (createExclusive(join(dataDir, SAVED, name), data))
			return `${SAVED}/${name}`;
	}
	throw new Error(`too many saved messages named ${base}`);
}

/** Bytes in the regular files of saved/ (lstat: links count for nothing). */
function savedBytes(dir: string): number {
	let total = 0;
	for (const name of readdirSync(dir)) {
		try {
			const stat = lstatSync(join(dir, name));
			if (stat.isFile()) total += stat.size;
		} catch {
			// removed meanwhile (pruning)
		}
		if (total >= SAVED_QUOTA_BYTES) break;
	}
	return total;
}

/** Postfix queue ids are [0-9A-Za-z]; anything else from argv is made harmless. */
export function safeName(text: string): string {
	const safe = text.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
	return safe === "" ? "unknown" : safe;
}
