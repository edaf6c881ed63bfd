/** RFC 3463 §2: class "." subject "." detail; class 2, 4 or 5. */
const STATUS = /^([245])\.(\d{1,3})\.(\d{1,3})$/;
// In free text the subject is one digit (RFC 3463 §3 defines 0-7), so that version
// numbers such as "Postfix 2.11.3" are not read as a status
const STATUS_IN_TEXT = /(?:^|[^\d.])([245])\.([0-7])\.(\d{1,3})(?![\d.]*\d)/;
const REPLY_CODE = /(?:^|[^\d])([245])([0-5])(\d)(?:[ -]|$)/;

/** A syntactically valid RFC 3463 status code from a Status field value, or undefined. */
export function parseStatus(value: string | undefined): string | undefined {
	if (value === undefined) return undefined;
	const code =
		value
			// linear (issue 11): a comment ends at the next "(" too, not only at ")"
			.replace(/\([^()\n\r\u2028\u2029]*\)/g, "")
			.trim()
			.split(/\s+/)[0] ?? "";
	const match = STATUS.exec(code);
	return match
		? `${match[1]}.${Number(match[2])}.${Number(match[3])}`
		: undefined;
}

/**
 * Derives a status from an SMTP reply text when the format has none (requirements
 * R12): an enhanced code in the text (`550 5.1.1 ...`, `#5.1.1`) wins; else the
 * reply code's class (RFC 3463 §3.1: X.0.0 "other undefined status").
 */
export function statusFromText(text: string | undefined): string | undefined {
	if (!text) return undefined;
	const enhanced = STATUS_IN_TEXT.exec(text);
	if (enhanced)
		return `${enhanced[1]}.${Number(enhanced[2])}.${Number(enhanced[3])}`;
	const reply = REPLY_CODE.exec(text);
	return reply ? `${reply[1]}.0.0` : undefined;
}

/**
 * The status of a failure read from its text: no code, or a 2.x.x (a transcript's
 * greeting or a quoted "250 ok"), gives `fallback`, RFC 3463 §3.1's 5.0.0 unless the
 * format knows better.
 */
export function asFailure(
	status: string | undefined,
	fallback = "5.0.0",
): string {
	return status === undefined || status.startsWith("2") ? fallback : status;
}

export function statusClass(
	status: string | undefined,
): "2" | "4" | "5" | undefined {
	const c = status?.[0];
	return c === "2" || c === "4" || c === "5" ? c : undefined;
}
