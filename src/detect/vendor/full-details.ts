import {
	ADDRESS,
	bounce,
	collapse,
	recipient,
	verdict,
} from "../lib/blocks.ts";
import type { Detector, RecipientReport } from "../types.ts";

const START = /We had trouble delivering your message\. Full details follow:/i;

/**
 * A hosted filter's notice, one sentence per error, e.g.
 *   The following recipients returned permanent errors: user@example.org. Reason: ...
 *   SMTP Server <mx.example.org> rejected recipient <user@example.org> (Error
 *   following RCPT command). It responded as follows: [550 5.1.1 User unknown]
 */
export const fullDetails: Detector = (message) => {
	const start = START.exec(message.text);
	if (!start) return undefined;
	const text = message.text.slice(start.index);
	const recipients: RecipientReport[] = [];
	for (const m of text.matchAll(
		new RegExp(
			`returned permanent errors?: *<?(${ADDRESS.source})>?\\.?(?: *Reason: *([^\\n]*))?`,
			"gi",
		),
	)) {
		const reason = collapse(m[2]);
		const judged = verdict(reason);
		recipients.push(
			recipient(m[1] ?? "", reason, {
				action: "failed",
				status: judged.status.startsWith("5") ? judged.status : "5.0.0",
			}),
		);
	}
	for (const m of text.matchAll(
		new RegExp(
			`rejected recipient <?(${ADDRESS.source})>?[^\\n]*?responded as follows: *\\[([^\\]]*)\\]`,
			"gi",
		),
	)) {
		const reply = collapse(m[2]);
		recipients.push(recipient(m[1] ?? "", reply, verdict(reply)));
	}
	return bounce("full-details", recipients);
};
