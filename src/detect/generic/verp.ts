import { header, type Message } from "../../mail/message.ts";
import { verpRecipient } from "../../verp.ts";
import {
	AUTO_REPLY,
	DELAY,
	FAILURE,
	hasDeliveryStatus,
	NOTICE_FROM,
	nullSender,
	SUCCESS,
} from "../lib/notice.ts";
import {
	collapse,
	envelopeAddresses,
	HOSTNAME,
	noticeText,
} from "../lib/text.ts";
import type { Bounce } from "../types.ts";

const ADMIN = /^(?:postmaster|mailer-daemon|abuse|support|noreply|no-reply)@/i;
// starts only where a local part can start, so a long token is scanned once (linear time)
const ADDRESS = new RegExp(
	`(?<![^\\s<>()"',;:@\\[\\]])[^\\s<>()"',;:@\\[\\]]+@${HOSTNAME}`,
	"g",
);

// A returned message that is itself a delivery report (RFC 6522 §3): forwarded.ts reads it
const FORWARDED_REPORT =
	/report-type\s*=\s*"?(?:delivery-status|disposition-notification)/i;

// A transient condition (RFC 3463 §3.1 class 4, RFC 5321 §4.2.1 4yz replies) or a queue
// that gave up on an unreachable host: weak evidence must not turn it into a failure
const TRANSIENT =
	/\b4\.\d{1,3}\.\d{1,3}\b|^[ \t]*4[0-9]{2}[ -]|\bdeferred\b|temporar|try again later|timed out|connection refused|cannot send message for/im;

// What the delivery-status fields say when nothing failed (RFC 3464 §2.3.3)
const NOT_FAILED_ACTION =
	/^action:[ \t]*(?:delayed|delivered|relayed|expanded)/im;

/**
 * VERP as evidence (requirements R15, issue 14 item 1): the return path we sent from
 * names the recipient (`rua=example.org`, Postfix's ${extension}), so a notice that no
 * reader understands still says who failed, when it is plainly a non-delivery notice by
 * its envelope and headers (null sender or a mailer daemon's From, a failure subject or
 * wording, or a delivery-status part) and it names that address or no other. Never for
 * a delay warning, a success DSN, an auto-reply, a feedback report or an MDN; runs
 * after every other detector.
 */
export function verpNotice(
	message: Message,
	extension: string,
): Bounce | undefined {
	const verp = verpRecipient(extension);
	if (verp === undefined || !isNonDeliveryNotice(message)) return undefined;
	const notice = noticeText(message.text);
	const skip = envelopeAddresses(message);
	const named = new Set(
		[...notice.matchAll(ADDRESS)]
			.map((m) => m[0].toLowerCase().replace(/\.$/, ""))
			.filter((a) => !skip.has(a) && !ADMIN.test(a)),
	);
	if (named.size > 0 && !named.has(verp)) return undefined;
	return {
		kind: "bounce",
		detector: "verp",
		recipients: [
			{
				address: verp,
				original: verp,
				action: "failed",
				// RFC 3463 §3.1: the notice gives no reason we can read
				status: "5.0.0",
				diagnostic: collapse(notice, 300),
				remoteMta: undefined,
			},
		],
		reportingMta: undefined,
	};
}

function isNonDeliveryNotice(message: Message): boolean {
	const from = header(message, "from") ?? "";
	const bySender = nullSender(message) || NOTICE_FROM.test(from);
	const report = hasDeliveryStatus(message);
	const head = message.text.slice(0, 8000);
	const failure = FAILURE.test(message.subject) || FAILURE.test(head);
	if (!(bySender || report) || !(failure || report)) return false;
	// not a delay, a success, an auto-reply, a complaint or a read receipt
	if (
		DELAY.test(message.subject) ||
		DELAY.test(head) ||
		SUCCESS.test(message.subject) ||
		SUCCESS.test(head) ||
		TRANSIENT.test(message.subject) ||
		TRANSIENT.test(head) ||
		AUTO_REPLY.test(message.subject)
	)
		return false;
	for (const part of message.parts) {
		if (
			part.mimeType === "message/feedback-report" ||
			part.mimeType === "message/disposition-notification" ||
			part.mimeType === "message/global-disposition-notification"
		)
			return false;
		if (
			part.mimeType === "message/delivery-status" ||
			part.mimeType === "message/global-delivery-status"
		) {
			const fields = new TextDecoder().decode(part.content.subarray(0, 16384));
			if (NOT_FAILED_ACTION.test(fields)) return false;
		}
		if (
			(part.mimeType === "message/rfc822" ||
				part.mimeType === "message/global") &&
			FORWARDED_REPORT.test(
				new TextDecoder().decode(part.content.subarray(0, 8192)),
			)
		)
			return false;
	}
	const submitted = header(message, "auto-submitted")?.toLowerCase() ?? "";
	return !(submitted.startsWith("auto-replied") && !bySender);
}
