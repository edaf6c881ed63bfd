import { decodeAddressField } from "../../dsn/address.ts";
import { parseDeliveryStatus } from "../../dsn/fields.ts";
import { decodeText, header } from "../../mail/message.ts";
import { failureStatus } from "../lib/lines.ts";
import { collapse, noticeText } from "../lib/text.ts";
import type { Detector } from "../types.ts";

// RFC 8098 §3.2.6: "automatic-action/MDN-sent-automatically; deleted"
const DELETED = /^\s*automatic-action\/[^;]*;\s*deleted\b/i;
const REJECTED = /\brejected\b/i;

/**
 * A Sieve `reject` (RFC 5429) of a message already accepted, which Dovecot (Pigeonhole,
 * also for a full mailbox) and Cyrus send as an MDN instead of a DSN:
 *   Content-Type: multipart/report; report-type=disposition-notification
 *   Auto-Submitted: auto-replied (rejected)
 *   Final-Recipient: rfc822; rua@example.org
 *   Disposition: automatic-action/MDN-sent-automatically; deleted
 * Our reports never ask for a read receipt (RFC 8098 §2.1), so an automatic "deleted"
 * that says it rejected the message is the recipient refusing it. Anything else sent as
 * an MDN is not ours to read.
 */
export const mdnReject: Detector = (message) => {
	const part = message.parts.find(
		(p) => p.mimeType === "message/disposition-notification",
	);
	if (!part) return undefined;
	// RFC 8098 §3.1: one block of fields, which the DSN reader files as a recipient group
	const status = parseDeliveryStatus(decodeText(part.content));
	const fields = new Map([...status.message, ...(status.recipients[0] ?? [])]);
	if (!DELETED.test(fields.get("disposition") ?? "")) return undefined;
	const notice = noticeText(message.text);
	if (
		!REJECTED.test(header(message, "auto-submitted") ?? "") &&
		!REJECTED.test(notice)
	)
		return undefined;
	const address = decodeAddressField(fields.get("final-recipient") ?? "");
	if (address === "") return undefined;
	const original = decodeAddressField(fields.get("original-recipient") ?? "");
	const diagnostic = collapse(notice);
	return {
		kind: "bounce",
		detector: "mdn-reject",
		recipients: [
			{
				address,
				original: original === "" ? undefined : original,
				action: "failed",
				status: failureStatus(diagnostic),
				diagnostic,
				remoteMta: undefined,
			},
		],
		reportingMta: fields.get("reporting-ua")?.split(";")[0]?.trim(),
	};
};
