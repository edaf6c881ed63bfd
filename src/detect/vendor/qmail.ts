import { qmailLayout } from "../lib/blocks.ts";
import type { Detector } from "../types.ts";

// qmail-send.c writes "Hi. This is the qmail-send program at <host>." and "I'm afraid
// I wasn't able to deliver your message to the following addresses."; netqmail,
// notqmail, s/qmail, indimail and the hosted platforms built on them reword it.
const START =
	/^.*(?:Hi\. This is the [\w-]*qmail|This is the mail delivery agent at|wasn't able to deliver your message to the following address|Unable to deliver message to the following address|Your mail message to the following address|Your message to the following addresses|Unfortunately, your mail was not delivered to the following address|Su mensaje no pudo ser entregado)/im;

/**
 * qmail and its clones, e.g.
 *   <user@example.org>:
 *   192.0.2.1 does not like recipient.
 *   Remote host said: 550 5.1.1 <user@example.org>... User unknown
 *   Giving up on 192.0.2.1.
 * qmail-send only bounces on a permanent error or when the queue lifetime ran out
 * ("I'm not going to try again; this message has been in the queue too long.").
 */
export const qmail: Detector = (message) => {
	if (!START.test(message.text)) return undefined;
	return qmailLayout(message, "qmail", START);
};
