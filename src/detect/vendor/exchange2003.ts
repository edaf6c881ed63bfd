import {
	addressLine,
	bounce,
	failed,
	firstAddress,
	lines,
} from "../lib/lines.ts";
import type { Detector, RecipientReport } from "../types.ts";

// Exchange 5.5 to 2003 (IMS/IMC) non-delivery reports: a prose notice, no RFC 3464 part
const HEAD =
	/did not reach the following recipient\(s\):|the following recipient\(s\) (?:could not|cannot|can ?not) be reached:/i;

// kijitora@example.org on Thu, 29 Apr 2010 00:00:00 -0000
// 'kijitora@example.org' on 4/29/2010 11:34 PM
// Linear (issue 11): the local part's first character may be "@", the rest stops at
// the first "@" (the same matches: the domain takes any further "@"), so the split is unique
const RECIPIENT = /^\s*'?<?([^\s'<>][^\s'<>@]*@[^\s'<>]+?)>?'?\s+on\s+\S/;

// An X.400 O/R address carrying the Internet address in a domain-defined attribute:
// c=US;a= ;p=Example;o=Site;dda:SMTP=kijitora@example.org; on Fri, 4 Oct 2002
// Linear (issue 11): the local part is at most 64 characters (RFC 5321 §4.5.3.1.1), so a
// run of "dda:SMTP=" with no "@" costs each of them a bounded scan
const X400 = /^\s*c=[^\n]*?\bdda:SMTP=([^\s;'<>]{1,64}@[^\s;'<>]+)/i;

// Where a quoted original would start; not noticeText(): Exchange's own
// "The MTS-ID of the original message is: ..." line reads like a returned-copy marker
const END = /^(?:-{3,}|(?:Received|Return-Path|From|Message-ID):\s)/i;

// Continuation lines that say nothing about the recipient
// (and the time of an "on <date>" that wrapped onto its own line)
const NOISE =
	/^\s*(?:the mts-id of the original message is|;)|;l=|^\s*\d{1,2}:\d\d(?::\d\d)?(?:\s*[AP]M)?(?:\s*[-+]\d{4})?\s*$/i;

/**
 * Microsoft Exchange 2003 and earlier: "Your message did not reach some or all of the
 * intended recipients", then one `address on date` line per recipient and the reason,
 * indented below it; the returned original is an attachment.
 */
export const exchange2003: Detector = (message) => {
	const notice = message.text;
	const head = HEAD.exec(notice);
	if (!head) return undefined;
	const recipients: RecipientReport[] = [];
	let address: string | undefined;
	let diagnostic: string[] = [];
	const flush = () => {
		if (address !== undefined)
			recipients.push(failed(address, diagnostic.join(" ")));
		address = undefined;
		diagnostic = [];
	};
	for (const line of lines(notice.slice(head.index + head[0].length))) {
		if (END.test(line)) break;
		const named =
			RECIPIENT.exec(line)?.[1] ?? X400.exec(line)?.[1] ?? addressLine(line);
		if (named !== undefined && firstAddress(named) !== undefined) {
			flush();
			address = firstAddress(named);
		} else if (line.trim() === "") {
			if (diagnostic.length > 0) flush();
		} else if (address !== undefined && !NOISE.test(line)) {
			diagnostic.push(line.trim());
		}
	}
	flush();
	return bounce("exchange2003", recipients);
};
