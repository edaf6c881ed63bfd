import {
	bounce,
	collapse,
	delayed,
	failed,
	firstAddress,
	fromHeader,
	lines,
} from "../lib/lines.ts";
import { noticeText } from "../lib/text.ts";
import type { Detector, RecipientReport } from "../types.ts";

/**
 * Trend Micro InterScan MSS / Messaging Security Suite: either the SMTP exchange
 * (`Sent <<< RCPT TO:<address>` then `Received >>> reply`), or one sentence
 * "Unable to deliver message to <address> (and other recipients in the same domain)".
 */
export const interScan: Detector = (message) => {
	const notice = noticeText(message.text);
	if (
		!/InterScan/i.test(fromHeader(message)) &&
		!/InterScan Messaging Security Suite/i.test(notice) &&
		!/^[^\S\r\n\u2028\u2029]*Sent <<< RCPT TO:/im.test(notice)
	)
		return undefined;
	const recipients: RecipientReport[] = [];
	let pending: string | undefined;
	for (const line of lines(notice)) {
		// Sent <<< RCPT TO:<user@example.org>
		// (linear, issue 11: `\s*(\S.*|.)` is `\s*(.+)` without two ways to split blanks)
		const rcpt = /^\s*Sent <<< RCPT TO:\s*(\S.*|.)$/i.exec(line)?.[1];
		if (rcpt !== undefined) {
			pending = firstAddress(rcpt);
			continue;
		}
		// Received >>> 550 5.1.1 <user@example.org>... user unknown
		const reply = /^\s*Received >>>\s*(\S.*|.)$/i.exec(line)?.[1];
		if (reply !== undefined && pending !== undefined) {
			if (/^\s*5\d\d/.test(reply)) recipients.push(failed(pending, reply));
			else if (/^\s*4\d\d/.test(reply))
				recipients.push(delayed(pending, reply));
			pending = undefined;
			continue;
		}
		// Unable to deliver message to <user@example.org> (and other recipients in the same domain).
		const sentence =
			/Unable to deliver message to\s+(<[^<>\n]{1,320}>|[^\s<>@]{1,64}@[^\s<>]{1,255})/i.exec(
				line,
			);
		const address = sentence ? firstAddress(sentence[1] ?? "") : undefined;
		if (address !== undefined) recipients.push(failed(address, collapse(line)));
	}
	return bounce("interscan", recipients);
};
