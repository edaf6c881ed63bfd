import { statusFromText } from "../../dsn/status.ts";
import { before, bounce, fromHost, recipient, verdict } from "../lib/blocks.ts";
import type { Detector, RecipientReport } from "../types.ts";

const TRANSCRIPT =
	/^[ \t]*-{3,}[ \t]*Transcript of session follows[ \t]*-{3,}/im;
const COPY =
	/^[ \t]*-{3,}[ \t]*(?:Unsent|Original|Returned) message follows[ \t]*-{3,}/im;

/**
 * Sendmail before DSNs (V5, early V8): no message/delivery-status, only the
 * session transcript, e.g.
 *   ----- Transcript of session follows -----
 *   While talking to mx.example.org:
 *   >>> RCPT To:<user@example.org>
 *   <<< 550 <user@example.org>... User unknown
 *   550 <user@example.org>... User unknown
 *   421 example.net (smtp)... Deferred: Connection timed out
 *   ----- Unsent message follows -----
 * A `NNN <address>... text` line is sendmail's own verdict for that recipient;
 * 4xx lines name hosts that are still being tried and are no failure.
 */
export const v5sendmail: Detector = (message) => {
	const start = TRANSCRIPT.exec(message.text);
	if (!start || !COPY.test(message.text)) return undefined;
	const transcript = before(message.text.slice(start.index), COPY);
	const recipients: RecipientReport[] = [];
	// 550 <user@example.org>... User unknown
	// (linear, issue 11: an address splits at its first "@", not at every one)
	for (const m of transcript.matchAll(
		/^([245]\d\d)[ -]<?([^\s<>][^\s<>@]*@[^\s<>]+?)>?\.\.\.[ \t]*(.*)$/gm,
	)) {
		const diagnostic = `${m[1]} ${m[3] ?? ""}`;
		if (m[1]?.startsWith("5"))
			recipients.push(recipient(m[2] ?? "", diagnostic, verdict(diagnostic)));
	}
	// >>> RCPT To:<user@example.org>
	// <<< 550 Requested mailbox not found
	for (const m of transcript.matchAll(
		/^>>> RCPT To:\s*<?([^\s<>][^\s<>@]*@[^\s<>]+)>?\s*\n<<< (5\d\d[^\n]*)$/gim,
	)) {
		const diagnostic = m[2] ?? "";
		recipients.push(
			recipient(m[1] ?? "", diagnostic, {
				action: "failed",
				status: statusFromText(diagnostic) ?? "5.0.0",
			}),
		);
	}
	return bounce("v5sendmail", recipients, fromHost(message));
};
