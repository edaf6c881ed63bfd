import { statusClass } from "../dsn/status.ts";

/**
 * Why a recipient failed (requirements R17-R18):
 * - recipient: the address or its domain is gone, full, unroutable, null MX;
 * - message: this message was refused for what it is (too large, content);
 * - sender: our side is at fault (DKIM/SPF/DMARC failed, our IP or domain is
 *   blocklisted, rate limits, reputation); it must never silence the receiver;
 * - unknown: a permanent failure nothing more can be said of.
 */
export type Cause = "recipient" | "message" | "sender" | "unknown";

export const CAUSES: readonly Cause[] = [
	"recipient",
	"message",
	"sender",
	"unknown",
];

/** By default the map holds everything but our own failures (issue 5). */
export const DEFAULT_CAUSES: ReadonlySet<Cause> = new Set([
	"recipient",
	"message",
	"unknown",
]);

// Words that blame the sending side, as receivers write them.
const SENDER =
	/\b(?:dmarc|spf|dkim|authenticat\w*|unauthenticated|block ?list\w*|black ?list\w*|spamhaus|barracuda|sorbs|spamcop|\brbl\b|\bdnsbl\b|reputation|rate limit\w*|too many (?:messages|connections|recipients)|sending rate|unusual rate|rate of (?:mail|messages)|throttl\w*|reverse dns|\bptr\b|ip (?:name )?lookup|client host rejected|spam|junk|banned sender|sender (?:address )?rejected|sender denied|policy (?:violation|reasons))/i;

// Words that say the address or its domain is dead or cannot take mail.
const RECIPIENT =
	/\b(?:user unknown|unknown user|no such (?:user|mailbox|recipient|address|domain)|mailbox (?:unavailable|not found|does not exist|disabled|inactive|is full|full)|does not exist|not exist|doesn'?t exist|recipient (?:address )?rejected|invalid (?:recipient|mailbox|address)|address (?:rejected|unknown|not found)|account (?:disabled|has been disabled|inactive|expired|suspended)|over ?quota|quota exceeded|insufficient storage|host (?:not found|unknown)|domain (?:not found|does not exist)|name service error|null mx|no mx|unrouteable|unroutable|recipientnotfound|not our customer|relay(?:ing)? (?:access )?denied|not permitted to relay|disabled recipient|recipient (?:address )?disabled|not a member|members only|only members|relay not permitted for recipient)\b/i;

const MESSAGE =
	/\b(?:too (?:large|big)|size (?:limit|exceeds)|message (?:length|size) exceeds|exceeds (?:the )?(?:maximum|size)|virus|malware|attachment)\b/i;

/**
 * Classifies one failure from its RFC 3463 status and the receiver's words. The words
 * win where they are clear (a 5.7.1 "user unknown" and a 5.1.1 "blocked by Spamhaus"
 * both exist); else the status code's subject decides (RFC 3463 §3).
 */
export function classifyCause(
	status: string | null | undefined,
	diagnostic: string | null | undefined,
): Cause {
	// addresses go first: a rua address such as dmarc@example.org is no DMARC failure,
	// nor is "rua..dmarc."@example.jp (RFC 5321 §4.1.2 quoted local part). Linear (issue
	// 11): a bare local part starts where a run of its characters starts; a start inside
	// the run would reach the same "@" choices, so it never matched where that failed
	const text = (diagnostic ?? "").replace(
		/(?:"[^"\s]*"|(?<![^\s<>()"';,])[^\s<>()"';,]+)@[^\s<>()"';,]+/g,
		" ",
	);
	const [, subject, detail] = (status ?? "").split(".");
	// RFC 7372 §3: 5.7.20-5.7.26, our DKIM/SPF/DMARC failing; RFC 7505 §4.2: 5.7.27,
	// our sender domain has a null MX
	if (subject === "7" && Number(detail) >= 20 && Number(detail) <= 27)
		return "sender";
	// RFC 3463 / RFC 5248 registry: 5.7.13 user account disabled, 5.7.17 mailbox owner
	// changed, 5.7.18 domain owner changed are about the recipient
	if (
		subject === "7" &&
		(detail === "13" || detail === "17" || detail === "18")
	)
		return "recipient";
	const blamesUs = SENDER.test(text);
	const blamesAddress = RECIPIENT.test(text);
	// "the account may not exist, or we may be blacklisted": no side can be told
	if (blamesUs && blamesAddress) return "unknown";
	if (blamesUs) return "sender";
	if (
		MESSAGE.test(text) ||
		(subject === "3" && detail === "4") ||
		(subject === "2" && detail === "3")
	)
		return "message";
	if (blamesAddress) return "recipient";
	switch (subject) {
		case "1": // addressing status: bad mailbox, bad domain, null MX (RFC 7505)
		case "2": // mailbox status: disabled, full
			return "recipient";
		case "4": // network and routing: unroutable, loop
			return detail === "4" || detail === "6" ? "recipient" : "unknown";
		case "6": // media: conversion, content
			return "message";
		case "7": // security or policy: receivers mostly mean us
			return statusClass(status ?? undefined) === "5" ? "sender" : "unknown";
		default:
			return "unknown";
	}
}
