import { asFailure, statusFromText } from "../../dsn/status.ts";
import {
	DELAY,
	FAILURE,
	looksLikeNotice,
	RECIPIENT_FAILURE,
} from "../lib/notice.ts";
import {
	BOL,
	EOL,
	envelopeAddresses,
	HOSTNAME,
	noticeText,
	textAfter,
} from "../lib/text.ts";
import type { Action, Detector, RecipientReport } from "../types.ts";

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
				// the mailto ends on its own line (issue 11: `[^>]*` scanned to the next `>`
				// anywhere, from every line that starts with an address)
				String.raw`${BOL}[ \t]*<?(${ADDR})>?[ \t]*(?:<mailto:[^>\n\r\u2028\u2029]*>[ \t]*)?${EOL}`,
				"g",
			),
			true,
		],
		// DragonFly, Courier, Sendmail prose: "... delivering your mail to <rua@example.org>.",
		// "Sorry, unable to deliver your message to rua@example.org for the following reason:"
		[
			new RegExp(
				// linear (issue 11): no two blank runs side by side (`\s*` after `\s+`, `\s*:?\s*`)
				String.raw`(?:deliver(?:ing|ed|y)?|send(?:ing)?)\s+(?:of\s+)?(?:your\s+|the\s+)?(?:(?:mail|message|e-?mail)\s*)?(?:to|for)\s*(?::\s*)?<?(${ADDR})>?`,
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
		// "Recipient address: rua@example.org", "Failed recipient: ...", LSMTP's
		// "Error-for: ...", MailEnable's "Recipient: [SMTP:rua@example.org]"
		[
			new RegExp(
				String.raw`(?:recipient(?: address)?|addressee|failed address|undeliverable address|error-for)\s*:\s*\[?(?:SMTP:)?<?(${ADDR})>?`,
				"gi",
			),
			true,
		],
		// Exim: "rua@example.org:" alone on its line, the reason on the lines below
		[new RegExp(String.raw`^[ \t]*<?(${ADDR})>?:[ \t]*$`, "gm"), false],
		// Sendmail, Smail, MDaemon: "rua@example.org ... unknown host", "rua@example.org - no such user"
		[
			new RegExp(
				String.raw`^[ \t]*<?(${ADDR})>?(?:[ \t]*\.\.\.|[ \t]+-{1,2})[ \t]+\S`,
				"gm",
			),
			false,
		],
		// "The following message, addressed to 'rua@example.org', failed" (demon.net),
		// "The address to which your message was addressed, rua@example.org, did not match"
		[
			new RegExp(
				// a local part of at most 64 octets (RFC 5321 §4.5.3.1.1): no scan across
				// a run of words from every "addressed" (issue 11)
				String.raw`\baddressed,?(?:[ \t]+to)?(?:[ \t]*:)?[ \t]*['"<]?([^\s<>()"',;:@\[\]]{1,64}@${HOSTNAME})`,
				"gi",
			),
			false,
		],
		// a list entry with a display name: "The email below could not be delivered to the
		// following user:" / "\"rua@example.org\" <rua@example.org>"
		[
			new RegExp(
				String.raw`^[^\n\r]*\bfollowing\b[^\n\r]*:[ \t]*\n(?:[ \t]*\n)?[ \t]*"[^"\n]{0,200}"[ \t]*<(${ADDR})>[ \t]*$`,
				"gim",
			),
			false,
		],
	];

// Alias and forwarding forms: the address that failed, and the one we sent to.
//   <member@example.net> (expanded from <rua@example.org>): host ... said   (Postfix)
//   member@example.net\n    (generated from rua@example.org)               (Exim)
//   an undisclosed address\n    (generated from rua@example.org)           (Exim)
//   (Originally addressed to rua@example.org)                              (Smail-style)
const EXPANDED = new RegExp(
	String.raw`(?:(?<![^\s<>()"',;:@\[\]])<?(${ADDR})>?[ \t]*(?::[ \t]*)?(?:\r?\n[ \t]*)?)?\((?:expanded|generated) from:?[ \t]*<?(${ADDR})>?\)`,
	"gi",
);
const ORIGINALLY = new RegExp(
	String.raw`\(?originally addressed to:?[ \t]*<?(${ADDR})>?`,
	"gi",
);

// Where a quoted header of the returned message names things that are not recipients:
// its Subject (a DMARC report's Report-ID holds an "@"), and message ids.
const QUOTED_IDS =
	/^[ \t]*Subject:[^\n]*(?:\n[ \t]+[^\n]*)*|(?:Message-ID|Report-ID|In-Reply-To|References):[ \t]*<[^>\n]*>/gim;

/**
 * The last resort for bounces no specific detector knows: a notice from a mailer
 * daemon (or with a bounce subject) that names recipients in one of the usual places.
 * Runs after the auto-reply recogniser. Addresses of the notice's own envelope
 * (To, From) and administrative ones are never taken.
 */
export const textNotice: Detector = (message) => {
	if (!looksLikeNotice(message)) return undefined;
	const notice = noticeText(unquote(message.text)).replace(QUOTED_IDS, "");
	const found = recipientsIn(
		notice,
		message.subject,
		envelopeAddresses(message),
	);
	if (found.length === 0) return undefined;
	const action: Action =
		DELAY.test(message.subject) || DELAY.test(notice) ? "delayed" : "failed";
	const recipients: RecipientReport[] = found.map(({ address, original }) => {
		const diagnostic = textAfter(notice, address);
		const status = statusFromText(diagnostic);
		return {
			address,
			original,
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

interface Found {
	address: string;
	original: string | undefined;
	at: number;
}

function recipientsIn(
	notice: string,
	subject: string,
	skip: ReadonlySet<string>,
): Found[] {
	const found = new Map<string, Found>();
	const add = (
		address: string,
		at: number,
		loose: boolean,
		original?: string,
	): void => {
		const key = address.toLowerCase();
		if (skip.has(key) || (loose && ADMIN.test(key)) || found.has(key)) return;
		found.set(key, { address, original, at });
	};
	// aliases first: the member that failed carries the address we sent to
	const originals = new Set<string>();
	for (const m of notice.matchAll(EXPANDED)) {
		const original = m[2] ?? "";
		originals.add(original.toLowerCase());
		if (m[1]) add(m[1], m.index, false, original);
		else add(original, m.index, false, original);
	}
	for (const m of notice.matchAll(ORIGINALLY)) {
		originals.add((m[1] ?? "").toLowerCase());
		add(m[1] ?? "", m.index, false, m[1]);
	}
	for (const [pattern, loose] of RECIPIENT_LINES) {
		for (const m of notice.matchAll(pattern)) add(m[1] ?? "", m.index, loose);
	}
	if (found.size === 0) {
		// a line that names one address and says it failed, in any of the languages
		let at = 0;
		for (const line of notice.split("\n")) {
			if (RECIPIENT_FAILURE.test(line) || FAILURE.test(line)) {
				const on = [...line.matchAll(ANY_ADDRESS)];
				if (on.length === 1) add(on[0]?.[1] ?? "", at, true);
			}
			at += line.length + 1;
		}
	}
	if (found.size === 0 && FAILURE.test(subject)) {
		// "Undeliverable: rua@example.org", "Your message to rua@example.org could not be delivered"
		const named = SUBJECT_ADDRESS.exec(
			subject.replace(/Report-ID:\s*\S+/gi, ""),
		);
		if (named?.[1]) add(named[1], notice.length, true);
	}
	// an alias named as the original is not a failed recipient of its own
	return [...found.values()]
		.filter(
			(f) =>
				f.original !== undefined || !originals.has(f.address.toLowerCase()),
		)
		.sort((a, b) => a.at - b.at);
}

// starts only where a local part can start, so a long token is scanned once (linear time)
const ANY_ADDRESS = new RegExp(
	String.raw`(?<![^\s<>()"',;:@\[\]])<?(${ADDR})>?`,
	"g",
);

// linear (issue 11): a "to" counts only before what can stand between it and the
// address (":", a blank, a quote), not inside a word ("tomas@..." once read "mas@..."),
// and the local part has at most 64 octets (RFC 5321 §4.5.3.1.1): each "to" of a run
// of local-part characters ("o.to.to...") no longer scans the whole run
const SUBJECT_ADDRESS = new RegExp(
	String.raw`(?:\bto(?=[:\s'"<])|^[^:@]{0,60}(?=:)):?[ \t]*['"<]?([^\s<>()"',;:@\[\]]{1,64}@${HOSTNAME})['">]?(?:[ \t]+-|[ \t]*$|[ \t]+could|[ \t]+has)`,
	"i",
);

/** A bounce forwarded by a person arrives quoted ("> "): read it without the quotes. */
function unquote(text: string): string {
	const lines = text.split("\n");
	const quoted = lines.filter((l) => l.startsWith(">")).length;
	if (quoted * 2 < lines.filter((l) => l.trim() !== "").length) return text;
	return lines.map((l) => l.replace(/^>[ \t]?/, "")).join("\n");
}
