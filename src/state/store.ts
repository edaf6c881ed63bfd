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
		.filter((r) => r.suppress || r.hold === "sender-side")
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
 * Keeps an unusable message as `saved/<queue_id>.<reason>`; never overwrites: a second
 * message with the same name gets `.1`, `.2`, ... Returns the path below the data dir.
 */
export function quarantine(
	dataDir: string,
	raw: Uint8Array,
	queueId: string,
	reason: string,
): string {
	const base = `${safeName(queueId)}.${safeName(reason)}`;
	for (let n = 0; n < 1000; n++) {
		const name = n === 0 ? base : `${base}.${n}`;
		if (createExclusive(join(dataDir, SAVED, name), raw))
			return `${SAVED}/${name}`;
	}
	throw new Error(`too many saved messages named ${base}`);
}

/** Postfix queue ids are [0-9A-Za-z]; anything else from argv is made harmless. */
export function safeName(text: string): string {
	const safe = text.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
	return safe === "" ? "unknown" : safe;
}
