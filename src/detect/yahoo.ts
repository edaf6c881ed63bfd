import { qmailLayout } from "./text-a.ts";
import type { Detector } from "./types.ts";

// Yahoo's outbound MTA (qmail-derived), e.g.
//   Sorry, we were unable to deliver your message to the following address.
//
//   <user@example.org>:
//   Remote host said: 550 5.1.1 <user@example.org>... User Unknown [RCPT_TO]
const START =
	/^.*Sorry, we were unable to deliver your message to the following address/im;

/** Yahoo Mail "Failure Notice": the qmail layout with its own opening sentence. */
export const yahoo: Detector = (message) => {
	if (!START.test(message.text)) return undefined;
	return qmailLayout(message, "yahoo", START);
};
