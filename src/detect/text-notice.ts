import { asFailure, statusFromText } from "../dsn/status.ts";
import { header, type Message } from "../mail/message.ts";
import { envelopeAddresses, HOSTNAME, noticeText, textAfter } from "./text.ts";
import type { Action, Detector, RecipientReport } from "./types.ts";

/** A non-delivery notice by its sender or subject, in the words MTAs use. */
const NOTICE_FROM =
	/mailer-daemon|postmaster|mail delivery|mail administrator|delivery subsystem/i;
const NOTICE_SUBJECT =
	/undeliver|undelivered|returned mail|failure notice|delivery (?:status notification|failure|failed|problem|has failed|notification)|mail delivery failed|could not be delivered|non-?deliver|returned to sender|delivery status/i;

/** Delay warnings say the MTA is still trying (RFC 3464 §2.3.3 "delayed"). */
const DELAY =
	/\bdelayed\b|has not yet been delivered|not been delivered yet|will (?:continue to )?(?:be )?retr(?:y|ied)|delivery attempts will continue|warning message only|still trying|no action is required/i;

const ADMIN = /^(?:postmaster|mailer-daemon|abuse|support|noreply|no-reply)@/i;

const ADDR = String.raw`[^\s<>()"',;:@\[\]]+@${HOSTNAME}`;

// Places where a notice names the recipient that failed; `loose` places are also
// where notices print contact addresses, so administrative ones are skipped there.
const RECIPIENT_LINES: readonly (readonly [pattern: RegExp, loose: boolean])[] =
	[
		// Postfix, qmail, OpenSMTPD: "<rua@example.org>: host mx said: 550 ..." / "rua@example.org: 550 ..."
		[new RegExp(String.raw`^[ \t]*<(${ADDR})>[ \t]*:`, "gm"), false],
		[new RegExp(String.raw`^[ \t]*(${ADDR})[ \t]*:[ \t]*\S`, "gm"), false],
		// Exim, Gmail, Exchange: the address alone on its line, maybe "<mailto:...>" after it
		[
			new RegExp(
				String.raw`^[ \t]*<?(${ADDR})>?[ \t]*(?:<mailto:[^>]*>)?[ \t]*$`,
				"gm",
			),
			true,
		],
		// DragonFly, Courier, Sendmail prose: "... delivering your mail to <rua@example.org>.",
		// "Sorry, unable to deliver your message to rua@example.org for the following reason:"
		[
			new RegExp(
				String.raw`(?:deliver(?:ing|ed|y)?|send(?:ing)?)\s+(?:of\s+)?(?:your\s+|the\s+)?(?:mail|message|e-?mail)?\s*(?:to|for)\s*:?\s*<?(${ADDR})>?`,
				"gi",
			),
			false,
		],
		// the first entry of a list under a heading that ends in "following ...:", each
		// entry an address with maybe a remark (GroupWise, MDaemon's "> " entries):
		//   The message that you sent was undeliverable to the following:
		//   	rua@example.org (user not found)
		[
			new RegExp(
				// [^\n\r]: "^" also starts after a lone CR, a scan to LF from each is quadratic (issue 11)
				String.raw`^[^\n\r]*\bfollowing\b[^\n\r]*:[ \t]*\n(?:[ \t]*\n)?[ \t]*>?[ \t]*<?(${ADDR})>?[ \t]*(?:\([^\n]*\))?[ \t]*$`,
				"gim",
			),
			false,
		],
		// "Recipient address: rua@example.org", "Failed recipient: ..."
		[
			new RegExp(
				String.raw`(?:recipient(?: address)?|addressee|failed address)\s*:\s*<?(${ADDR})>?`,
				"gi",
			),
			true,
		],
	];

/**
 * The last resort for bounces no specific detector knows: a notice from a mailer
 * daemon (or with a bounce subject) that names recipients in one of the usual places.
 * Runs after the auto-reply recogniser. Addresses of the notice's own envelope
 * (To, From) and administrative ones are never taken.
 */
export const textNotice: Detector = (message) => {
	if (!isNotice(message)) return undefined;
	const notice = noticeText(unquote(message.text));
	const addresses = recipientsIn(notice, envelopeAddresses(message));
	if (addresses.length === 0) return undefined;
	const action: Action =
		DELAY.test(message.subject) || DELAY.test(notice) ? "delayed" : "failed";
	const recipients: RecipientReport[] = addresses.map((address) => {
		const diagnostic = textAfter(notice, address);
		const status = statusFromText(diagnostic);
		return {
			address,
			original: undefined,
			action,
			status: action === "failed" ? asFailure(status) : (status ?? "4.0.0"),
			diagnostic,
			remoteMta: undefined,
		};
	});
	return {
		kind: "bounce",
		detector: "text-notice",
		recipients,
		reportingMta: undefined,
	};
};

function isNotice(message: Message): boolean {
	return (
		NOTICE_FROM.test(header(message, "from") ?? "") ||
		NOTICE_SUBJECT.test(message.subject)
	);
}

function recipientsIn(notice: string, skip: ReadonlySet<string>): string[] {
	const found = new Map<string, { address: string; at: number }>();
	for (const [pattern, loose] of RECIPIENT_LINES) {
		for (const match of notice.matchAll(pattern)) {
			const address = match[1] ?? "";
			const key = address.toLowerCase();
			if (skip.has(key) || (loose && ADMIN.test(key)) || found.has(key))
				continue;
			found.set(key, { address, at: match.index });
		}
	}
	return [...found.values()].sort((a, b) => a.at - b.at).map((f) => f.address);
}

/** A bounce forwarded by a person arrives quoted ("> "): read it without the quotes. */
function unquote(text: string): string {
	const lines = text.split("\n");
	const quoted = lines.filter((l) => l.startsWith(">")).length;
	if (quoted * 2 < lines.filter((l) => l.trim() !== "").length) return text;
	return lines.map((l) => l.replace(/^>[ \t]?/, "")).join("\n");
}
