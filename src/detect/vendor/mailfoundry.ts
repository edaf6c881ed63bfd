import { statusFromText } from "../../dsn/status.ts";
import {
	bounce,
	collapse,
	delayed,
	failed,
	firstAddress,
	lines,
} from "../lib/lines.ts";
import { noticeText } from "../lib/text.ts";
import type { Detector, RecipientReport } from "../types.ts";

/**
 * MailFoundry gateways: "Unable to deliver message to: <address>", the reason under
 * "Delivery failed for the following reason:", and whether it was permanent.
 */
export const mailFoundry: Detector = (message) => {
	const notice = noticeText(message.text);
	if (!/Delivery failed for the following reason:/i.test(notice))
		return undefined;
	// This has been a permanent failure.  No further delivery attempts will be made.
	const permanent = /This has been a permanent failure/i.test(notice);
	const transient = /temporary failure|will be retried|will retry/i.test(
		notice,
	);
	const recipients: RecipientReport[] = [];
	let address: string | undefined;
	let reason: string[] | undefined;
	const flush = () => {
		if (address === undefined) return;
		const diagnostic = collapse(reason?.join(" "));
		const warning =
			!permanent && (transient || statusFromText(diagnostic)?.[0] === "4");
		recipients.push(
			warning ? delayed(address, diagnostic) : failed(address, diagnostic),
		);
		address = undefined;
		reason = undefined;
	};
	for (const line of lines(notice)) {
		// Unable to deliver message to: <user@example.org>
		// (linear, issue 11: `\s*(\S.*|.)` is `\s*(.+)` without two ways to split blanks)
		const named = /^\s*Unable to deliver message to:\s*(\S.*|.)$/i.exec(
			line,
		)?.[1];
		if (named !== undefined) {
			flush();
			address = firstAddress(named);
		} else if (/^\s*Delivery failed for the following reason:/i.test(line)) {
			reason = [];
		} else if (reason !== undefined && line.trim() !== "") {
			// Server mx.example.org[192.0.2.25] failed with: 550 <user@example.org> No such user here
			if (/^\s*This (?:has been|is) a/i.test(line)) flush();
			else reason.push(line);
		} else if (reason !== undefined && reason.length > 0) flush();
	}
	flush();
	return bounce("mailfoundry", recipients);
};
