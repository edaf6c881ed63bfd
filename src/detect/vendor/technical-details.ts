import {
	ADDRESS,
	bounce,
	collapse,
	fromHost,
	recipient,
	verdict,
} from "../lib/blocks.ts";
import type { Detector, RecipientReport } from "../types.ts";

const START =
	/This is an automatically generated Delivery Status Notification\.\s*\n/i;

/**
 * An appliance's notice framed in `====` rules (its message/delivery-status part, if
 * any, has no recipient groups), e.g.
 *   Delivery to the following recipients failed permanently:
 *      * user@example.org
 *   Technical details:
 *   SMTP:RCPT host 192.0.2.1: 553 5.3.0 <user@example.org>... No such user here
 * "was aborted after 5.0 hour(s)" is the same list for a message that expired.
 */
export const technicalDetails: Detector = (message) => {
	const start = START.exec(message.text);
	if (!start) return undefined;
	const text = message.text.slice(start.index + start[0].length);
	// "Delevery" is the appliance's own spelling; a bounded reason and one line per item keep
	// it linear (issue 11)
	const list =
		/Del[ie]very to the following recipients? (failed permanently|was aborted after[^:\n]{0,200}):[ \t]*\n(?:[ \t]*\n)*((?:[ \t]*\*[^\n]*(?:\n|$))+)/i.exec(
			text,
		);
	if (!list) return undefined;
	const permanent = /permanently/i.test(list[1] ?? "");
	const details = /Technical details:\s*\n([\s\S]*?)(?:\n[ \t]*={5,}|$)/i.exec(
		text,
	)?.[1];
	const recipients: RecipientReport[] = [];
	for (const m of (list[2] ?? "").matchAll(
		// linear (issue 11): `*` is a local-part character too, so only a `*` that no
		// local-part character precedes starts an item; a run of them is read once
		new RegExp(`(?<![^\\s<>()[\\]"',;:@])\\*[ \\t]*<?(${ADDRESS})>?`, "g"),
	)) {
		const address = m[1] ?? "";
		const own = details
			?.split(/\n/)
			.find((l) => l.toLowerCase().includes(address.toLowerCase()));
		const diagnostic = collapse(own ?? details);
		const judged = verdict(
			permanent ? diagnostic : `${diagnostic ?? ""} ${list[1]}`,
		);
		recipients.push(recipient(address, diagnostic, judged));
	}
	return bounce("technical-details", recipients, fromHost(message));
};
