import { bounce, collapse, failed, firstAddress, lines } from "../lib/lines.ts";
import type { Detector, RecipientReport } from "../types.ts";

// A message that you have sent could not be delivered to one or more
// recipients.  This is a permanent error.  The following address failed:
const PERMANENT =
	/This is a permanent error\.\s+The following address(?:\(es\))? failed:/i;

// Included is a copy of the message header:
// ------ This is a copy of the message, including all the headers. ------
const END = /^\s*(?:Included is a copy|-+\s*This is a copy of the message)/i;

/**
 * McAfee MXLogic relays (and other Exim builds that send no X-Failed-Recipients
 * header): Exim's permanent-error wording, one `  <address>: reason` entry per
 * recipient, the reason possibly continued on the lines below. Exim's delay warnings
 * never say "This is a permanent error".
 */
export const mxLogic: Detector = (message) => {
	const start = PERMANENT.exec(message.text);
	if (!start) return undefined;
	const recipients: RecipientReport[] = [];
	let address: string | undefined;
	let reason: string[] = [];
	const flush = () => {
		if (address !== undefined)
			recipients.push(failed(address, collapse(reason.join(" "))));
		address = undefined;
		reason = [];
	};
	const body = message.text.slice(start.index + start[0].length);
	for (const line of lines(body)) {
		if (END.test(line)) break;
		//   <user@example.org>: 550 5.1.1 <user@example.org>: Recipient address rejected
		//   user@example.org
		//     SMTP error from remote mail server after RCPT TO:<user@example.org>:
		// (linear, issue 11: the address splits at its first "@", the blanks after ":"
		// end where the reason starts)
		const entry =
			/^\s{1,4}<?([^\s<>:][^\s<>:@]*@[^\s<>:]+?)>?(?::\s*(\S.*|))?$/.exec(line);
		if (entry && firstAddress(entry[1] ?? "") !== undefined) {
			flush();
			address = firstAddress(entry[1] ?? "");
			if (entry[2]) reason.push(entry[2]);
		} else if (line.trim() === "") {
			if (reason.length > 0) flush();
		} else if (address !== undefined) reason.push(line);
	}
	flush();
	return bounce("mxlogic", recipients);
};
