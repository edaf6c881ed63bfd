import {
	ADDRESS,
	bounce,
	fromHost,
	qmailLayout,
	recipient,
} from "../lib/blocks.ts";
import { noticeText } from "../lib/text.ts";
import type { Detector } from "../types.ts";

// Yahoo's outbound MTA (qmail-derived), e.g.
//   Sorry, we were unable to deliver your message to the following address.
//
//   <user@example.org>:
//   Remote host said: 550 5.1.1 <user@example.org>... User Unknown [RCPT_TO]
const START =
	/^.*Sorry, we were unable to deliver your message to the following address/im;

// Yahoo's inbound queue giving up on one of its own mailboxes:
//   I'm afraid I wasn't able to deliver the following message.
//   This is a permanent error; I've given up. Sorry it didn't work out.
//
//   Subject: Report Domain: example.org ...
//   To: user@example.org
//
//   --- Below this line is a copy of the message.
const GAVE_UP =
	/^I'm afraid I wasn't able to deliver the following message\.\s+This is a permanent error; I've given up\./im;
const TO_LINE = new RegExp(`^To:[ \\t]*<?(${ADDRESS})>?[ \\t]*$`, "gim");

/** Yahoo Mail "Failure Notice": the qmail layout, or the queue's "I've given up". */
export const yahoo: Detector = (message) => {
	if (START.test(message.text)) return qmailLayout(message, "yahoo", START);
	const gaveUp = GAVE_UP.exec(message.text);
	if (!gaveUp) return undefined;
	const notice = noticeText(message.text.slice(gaveUp.index));
	return bounce(
		"yahoo",
		[...notice.matchAll(TO_LINE)].map((m) =>
			recipient(m[1] ?? "", gaveUp[0], { action: "failed", status: "5.0.0" }),
		),
		fromHost(message),
	);
};
