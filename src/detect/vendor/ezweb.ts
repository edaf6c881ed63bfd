import { header } from "../../mail/message.ts";
import {
	addressLine,
	bounce,
	collapse,
	failed,
	firstAddress,
	fromHeader,
	lines,
} from "../lib/lines.ts";
import type { Detector, RecipientReport } from "../types.ts";

// au (KDDI) mobile mail, ezweb.ne.jp and au.com: "Mail System Error - Returned Mail"
const SUBJECT = /^Mail System Error - Returned Mail$/i;
const SENDER = /@(?:ezweb\.ne\.jp|au\.com)\b/;

// The notice ends where the quoted original's headers start
const SEPARATOR = /^-{10,}\s*$/;

// Each of the following recipients was rejected by a remote mail server.
// The user(s) account is disabled.
const REASON =
	/^(?:each of the following recipients|the user\(s\) account|the following recipients did not|remote host is not responding|your message was not delivered within)/i;

// Your message was not delivered within 0 days and 1 hours.
const EXPIRED = /not delivered within \d+ days? and \d+ hours?/i;

/**
 * au by KDDI's (EZweb) bounces: Japanese and English prose, the recipients as
 * `<address>` lines or `Recipient: <address>` with the SMTP exchange below it.
 * A message that timed out ("not delivered within N days") is an expiry: the
 * caller holds it as unreachable, it never counts as a dead address by itself.
 */
export const ezweb: Detector = (message) => {
	if (!SUBJECT.test(message.subject)) return undefined;
	if (!SENDER.test(fromHeader(message)) && !fromEzweb(message))
		return undefined;
	const recipients: RecipientReport[] = [];
	const reasons: string[] = [];
	const replies = new Map<string, string>();
	let current: string | undefined;
	for (const line of lines(message.text)) {
		if (SEPARATOR.test(line)) break;
		if (REASON.test(line.trim())) reasons.push(line.trim());
		//     Recipient: <user@example.org>
		// (linear, issue 11: the blanks before the capture and the address's first "@"
		// each have one place to end, so no two repetitions share a character)
		const named =
			/^\s*Recipient:\s*(<[^>]+>|\S[^\s@]*@\S+)\s*$/i.exec(line)?.[1] ??
			addressLine(line);
		if (named !== undefined) {
			current = firstAddress(named);
			if (current !== undefined && !replies.has(current))
				replies.set(current, "");
			continue;
		}
		//     <<< 550 <user@example.org>: User unknown
		const reply = /^\s*<<<\s*(\S.*|)$/.exec(line)?.[1];
		if (reply !== undefined && current !== undefined)
			replies.set(current, `${replies.get(current) ?? ""} ${reply}`);
	}
	const reason = collapse(reasons.join(" "));
	const expired = reason !== undefined && EXPIRED.test(reason);
	for (const [address, reply] of replies) {
		const diagnostic = collapse(reply) ?? reason;
		recipients.push(
			failed(address, diagnostic, expired ? { status: "4.4.7" } : {}),
		);
	}
	return bounce("ezweb", recipients);
};

/** Received: ... by wsmtpr24.ezweb.ne.jp (EZweb Mail) with ESMTP ... */
function fromEzweb(message: Parameters<Detector>[0]): boolean {
	const received = message.headers.filter((h) => h.name === "received");
	return (
		received.some((h) => /\(EZweb Mail\)/i.test(h.value)) ||
		/ezweb\.ne\.jp/i.test(header(message, "message-id") ?? "")
	);
}
