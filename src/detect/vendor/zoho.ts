import { header } from "../../mail/message.ts";
import {
	ADDRESS,
	bounce,
	fromHost,
	recipient,
	verdict,
} from "../lib/blocks.ts";
import type { Detector, RecipientReport } from "../types.ts";

/**
 * Zoho Mail (`X-ZohoMail` header), one line per recipient, e.g.
 *   user@example.org Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 <user@example.org>... User Unknown
 * and its delay warning ("THIS IS A WARNING MESSAGE ONLY."), e.g.
 *   [Status: Error, Address: <user@example.org>, ResponseCode 421, , Host not reachable.]
 */
export const zoho: Detector = (message) => {
	if (
		header(message, "x-zohomail") === undefined &&
		!/zoho/i.test(header(message, "x-mailer") ?? "")
	)
		return undefined;
	const text = message.text;
	const warning = /WARNING MESSAGE ONLY|will be retried/i.test(text);
	const recipients: RecipientReport[] = [];
	for (const m of text.matchAll(
		// linear (issue 11): the blanks end where the reason starts, as the greedy first try
		// did; fewer blanks never let a line match that the first try refused
		new RegExp(`^[ \\t]*(${ADDRESS})[ \\t]+(?![ \\t])(.*ERROR_CODE.*)$`, "gm"),
	)) {
		// "ERROR_CODE :550," -> "550 " so that the reply code reads as one
		const diagnostic = (m[2] ?? "")
			.replace(/ERROR_CODE\s*:\s*/g, "")
			.replace(/\b([245]\d\d),/g, "$1 ");
		const judged = verdict(diagnostic);
		recipients.push(
			recipient(
				m[1] ?? "",
				diagnostic,
				warning ? { action: "delayed", status: judged.status } : judged,
			),
		);
	}
	// "[Status: ..., ResponseCode 550, reply]": the reply runs to the next `]`, found with
	// indexOf once per `]` (issue 11: `[^\]]*\]` scanned over every later entry, from each
	// entry, when no `]` followed); an entry inside a reply is skipped, as the regex did
	let close = -2; // the last `]` found, -1 when none is left, -2 before the first search
	let from = 0; // where the last entry ended: an entry before it is inside a reply
	for (const m of text.matchAll(
		new RegExp(
			`\\[Status: *\\w+, *Address: *<?(${ADDRESS})>?, *ResponseCode *(\\d{3})[, ]*`,
			"g",
		),
	)) {
		const start = m.index + m[0].length;
		if (m.index < from) continue;
		if (close !== -1 && close < start) close = text.indexOf("]", start);
		if (close < 0) break;
		from = close + 1;
		const reply = text.slice(start, close);
		const diagnostic = `${m[2]} ${reply}`;
		const judged = verdict(diagnostic);
		recipients.push(
			recipient(
				m[1] ?? "",
				diagnostic,
				warning || !m[2]?.startsWith("5")
					? { action: "delayed", status: judged.status }
					: judged,
			),
		);
	}
	return bounce("zoho", recipients, fromHost(message));
};
