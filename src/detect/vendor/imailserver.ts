import { header } from "../../mail/message.ts";
import {
	ADDRESS,
	before,
	bounce,
	fromHost,
	recipient,
	verdict,
} from "../lib/blocks.ts";
import { BOL, EOL } from "../lib/text.ts";
import type { Detector, RecipientReport } from "../types.ts";

const COPY = /^[ \t]*Original message follows\.?/im;

/**
 * Ipswitch IMail Server (its SMTP service signs `X-Mailer: <SMTP32 v8.22>`): one line
 * per recipient, reason first, e.g.
 *   Unknown user: user@example.org
 *   User mailbox exceeds allowed size: user@example.org
 *   Delivery failed 20 attempts: user@example.org
 * or the remote reply after "undeliverable to user@example.org" and
 * "Body of message generated response:".
 */
export const imailServer: Detector = (message) => {
	if (!/^<?SMTP32 v/i.test(header(message, "x-mailer") ?? "")) return undefined;
	const notice = before(message.text, COPY);
	const recipients: RecipientReport[] = [];
	// linear (issue 11): anchored as lookarounds, the reason on its own line
	const line = new RegExp(
		`${BOL}[ \\t]*([A-Za-z][^:\\n\\r\\u2028\\u2029]{2,80}):[ \\t]+<?(${ADDRESS})>?[ \\t]*${EOL}`,
		"g",
	);
	for (const m of notice.matchAll(line)) {
		const reason = m[1] ?? "";
		if (/^(?:to|cc|from|subject|date|reply-to)$/i.test(reason)) continue;
		recipients.push(recipient(m[2] ?? "", reason, verdict(reason)));
	}
	// undeliverable to user@example.org
	// Body of message generated response:
	// 550 5.1.1 User unknown
	const remote = new RegExp(
		`undeliverable to <?(${ADDRESS})>?\\s*\\n(?:.*generated response:\\s*\\n)?([\\s\\S]*)`,
		"i",
	).exec(notice);
	if (remote) {
		const reply = remote[2]?.trim() || undefined;
		recipients.push(recipient(remote[1] ?? "", reply, verdict(reply)));
	}
	return bounce("imailserver", recipients, fromHost(message));
};
