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
			`returned permanent errors?: *<?(${ADDRESS})>?\\.?(?: *Reason: *([^\\n]*))?`,
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
	// "rejected recipient <a@b> ... responded as follows: [reply]" on one line: the phrase
	// and the closing "]" are searched for once each, on from the last find (a pattern that
	// scanned on from every "[" was quadratic, issue 11)
	const phrase = /responded as follows: */gi;
	let said: RegExpExecArray | null = null;
	let close = -1;
	for (const m of text.matchAll(
		new RegExp(`rejected recipient <?(${ADDRESS})>?`, "gi"),
	)) {
		const from = (m.index ?? 0) + m[0].length;
		if (said === null || said.index < from) {
			phrase.lastIndex = from;
			said = phrase.exec(text);
			if (said === null) break;
		}
		const eol = text.indexOf("\n", from);
		if (eol !== -1 && said.index > eol) continue;
		const open = said.index + said[0].length;
		if (text[open] !== "[") continue;
		if (close <= open) close = text.indexOf("]", open);
		if (close === -1) break;
		const reply = collapse(text.slice(open + 1, close));
		recipients.push(recipient(m[1] ?? "", reply, verdict(reply)));
	}
	return bounce("full-details", recipients);
};
