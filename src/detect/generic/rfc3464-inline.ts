import { resolveAddressless } from "../lib/addressless.ts";
import { readDeliveryStatus } from "../standard/rfc3464.ts";
import type { Detector } from "../types.ts";

/**
 * Where the first recipient group of RFC 3464 §2.3 starts: a Final-Recipient line followed,
 * in the same paragraph, by an Action line; -1 if none. One pass over the lines (a pattern
 * that looked ahead from every Final-Recipient line was quadratic, issue 11).
 */
function dsnFieldsStart(text: string): number {
	let recipientAt = -1;
	for (let at = 0; at < text.length; ) {
		const end = text.indexOf("\n", at);
		const next = end === -1 ? text.length : end + 1;
		const head = text.slice(at, at + 16).toLowerCase();
		if (at === (end === -1 ? text.length : end)) recipientAt = -1;
		else if (head.startsWith("final-recipient:")) {
			if (recipientAt === -1) recipientAt = at;
		} else if (recipientAt !== -1 && head.startsWith("action:"))
			return recipientAt;
		at = next;
	}
	return -1;
}

/**
 * RFC 3464 fields sent in a text/plain part or a non-MIME body instead of
 * message/delivery-status (PMDF, some appliances, misnamed parts; requirements R5):
 *   Final-Recipient: rfc822; rua@example.org
 *   Action: failed
 * Only the notice's own text is read: returned originals stay raw (R4).
 */
export const rfc3464Inline: Detector = (message) => {
	const text = message.text.replace(/\r\n?/g, "\n");
	const start = dsnFieldsStart(text);
	if (start === -1) return undefined;
	// the per-message block (Reporting-MTA, ...) may precede the first recipient
	const before = text.lastIndexOf("\n\n", start);
	const found = readDeliveryStatus([text.slice(Math.max(0, before))]);
	return (
		found &&
		resolveAddressless({ ...found, detector: "rfc3464-inline" }, message)
	);
};
