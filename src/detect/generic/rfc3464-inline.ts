import { resolveAddressless } from "../lib/addressless.ts";
import { readDeliveryStatus } from "../standard/rfc3464.ts";
import type { Detector } from "../types.ts";

// A recipient group of RFC 3464 §2.3: Final-Recipient and Action on their own lines
const DSN_FIELDS = /^Final-Recipient:[^\n]*\n(?:[^\n]+\n)*?Action:/im;

/**
 * RFC 3464 fields sent in a text/plain part or a non-MIME body instead of
 * message/delivery-status (PMDF, some appliances, misnamed parts; requirements R5):
 *   Final-Recipient: rfc822; rua@example.org
 *   Action: failed
 * Only the notice's own text is read: returned originals stay raw (R4).
 */
export const rfc3464Inline: Detector = (message) => {
	const text = message.text.replace(/\r\n?/g, "\n");
	const start = DSN_FIELDS.exec(text);
	if (!start) return undefined;
	// the per-message block (Reporting-MTA, ...) may precede the first recipient
	const before = text.lastIndexOf("\n\n", start.index);
	const found = readDeliveryStatus([text.slice(Math.max(0, before))]);
	return (
		found &&
		resolveAddressless({ ...found, detector: "rfc3464-inline" }, message)
	);
};
