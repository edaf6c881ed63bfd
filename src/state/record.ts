/** Reserved state name for failures whose report domain is unknown: no valid domain starts with "_". */
export const UNKNOWN_DOMAIN = "_unknown";

/**
 * One line of `domains/<report_domain>`. The first seven keys are the original
 * tool's (andreasschulze/dmarc_dsn_processor), so either tool reads the other's data.
 */
export interface StoredRecord {
	readonly report_domain: string;
	readonly action: string;
	readonly status: string | null;
	readonly final_rcpt: string;
	readonly orig_rcpt: string;
	readonly diag_code: string | null;
	/** YYYYMMDD, UTC. */
	readonly date: string;
	/** ISO 8601 UTC timestamp. */
	readonly time: string;
	readonly queue_id: string;
	readonly reporting_mta: string | null;
	readonly remote_mta: string | null;
	readonly detector: string | null;
	/** recipient, message, sender or unknown (src/policy/cause.ts). */
	readonly cause: string | null;
}

/** A record as read back: ours, the original tool's, or something partial. */
export interface LoadedRecord {
	readonly address: string | undefined;
	readonly action: string;
	readonly status: string | undefined;
	readonly diagnostic: string | undefined;
	/** Written by us since the cause classification; absent in older records. */
	readonly cause: string | undefined;
	/** Milliseconds since the epoch of the failure. */
	readonly at: number;
}

export function yyyymmdd(date: Date): string {
	const year = date.getUTCFullYear();
	// the common case without toISOString (table renders one per map line)
	if (year >= 1000 && year <= 9999) {
		const month = date.getUTCMonth() + 1;
		const day = date.getUTCDate();
		return `${year}${month < 10 ? "0" : ""}${month}${day < 10 ? "0" : ""}${day}`;
	}
	return date.toISOString().slice(0, 10).replaceAll("-", "");
}

/** `20261128` -> midnight UTC that day, or undefined. */
export function parseYyyymmdd(value: string): number | undefined {
	const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
	if (!m) return undefined;
	const at = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
	// Date.UTC rolls 20240230 over to 1 March: an impossible date is no date
	return yyyymmdd(new Date(at)) === value ? at : undefined;
}

/**
 * Parses one line; a line torn by a crash or a full disk is skipped, and a record
 * appended right after such a fragment is still found (it starts at the last `{"`).
 */
export function parseRecordLine(
	line: string,
	fallbackAt: number,
): LoadedRecord | undefined {
	const value =
		parseJsonObject(line) ??
		parseJsonObject(line.slice(line.lastIndexOf('{"')));
	if (!value) return undefined;
	const text = (key: string) =>
		typeof value[key] === "string" ? (value[key] as string) : undefined;
	const time = text("time");
	const fromTime = time === undefined ? Number.NaN : Date.parse(time);
	const fromDate = parseYyyymmdd(text("date") ?? "");
	return {
		address: text("orig_rcpt") || text("final_rcpt"),
		action: text("action") ?? "",
		status: text("status"),
		diagnostic: text("diag_code"),
		cause: text("cause"),
		at: Number.isNaN(fromTime) ? (fromDate ?? fallbackAt) : fromTime,
	};
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
	try {
		const value: unknown = JSON.parse(text);
		return typeof value === "object" && value !== null && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}

/**
 * The most bytes one stored record line takes, newline included (issue 11: a record
 * line has a fixed maximum size). The caps below keep an ordinary record far under it.
 */
export const MAX_RECORD_LINE = 4096;

/** Per-field caps in characters: RFC 5321 §4.5.3.1 limits paths to 256 octets. */
const FIELD_CAPS: Readonly<Record<string, number>> = {
	report_domain: 253,
	action: 32,
	status: 32,
	final_rcpt: 320,
	orig_rcpt: 320,
	diag_code: 1000,
	date: 8,
	time: 32,
	queue_id: 64,
	reporting_mta: 255,
	remote_mta: 255,
	detector: 64,
	cause: 16,
};

/**
 * One JSON line (without its newline) of at most MAX_RECORD_LINE - 1 bytes: every
 * field cut to its cap, then, for text that JSON escaping or UTF-8 makes longer, the
 * longest field halved until the line fits.
 */
export function recordLine(record: StoredRecord): string {
	const fields: Record<string, string | null> = {};
	for (const [key, value] of Object.entries(record) as [
		string,
		string | null,
	][])
		fields[key] =
			typeof value === "string" ? value.slice(0, FIELD_CAPS[key] ?? 64) : value;
	let line = JSON.stringify(fields);
	while (utf8Length(line) > MAX_RECORD_LINE - 1) {
		let longest = "";
		for (const [key, value] of Object.entries(fields))
			if (
				typeof value === "string" &&
				value.length > (fields[longest]?.length ?? -1)
			)
				longest = key;
		const value = fields[longest] ?? "";
		fields[longest] = value.slice(0, Math.floor(value.length / 2));
		line = JSON.stringify(fields);
	}
	return line;
}

function utf8Length(text: string): number {
	return new TextEncoder().encode(text).length;
}
