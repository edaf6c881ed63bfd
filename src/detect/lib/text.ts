import { stripAngles } from "../../dsn/address.ts";
import { header, type Message } from "../../mail/message.ts";
import type { Bounce, RecipientReport } from "../types.ts";

// Shared helpers for detectors of plain-text bounce formats.

/**
 * A bare mailbox as text formats print it; validated later by decide(). Pattern text to
 * paste after a prefix that says where it starts, not a RegExp of its own: run alone,
 * unanchored, every character of a long run without "@" would start a scan of the run
 * (issue 11). scripts/redos.ts checks each pattern that holds it.
 */
export const ADDRESS = String.raw`[^\s<>()[\]"',;:@]+@[A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9]`;

/** A host name as notices print one: LDH labels (RFC 1035 §2.3.1), two or more. */
export const HOSTNAME = String.raw`[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+`;

/**
 * `^` and `$` of a multiline pattern, as lookarounds: the same places (after and before
 * a line terminator, ECMA-262 §22.2.2.6: LF, CR, U+2028, U+2029, or the text's ends),
 * written so that recheck sees the anchor; it takes a multiline `^` for "anywhere" and
 * calls every line-bounded scan after one quadratic (issue 11).
 */
export const BOL = String.raw`(?<![^\n\r\u2028\u2029])`;
export const EOL = String.raw`(?![^\n\r\u2028\u2029])`;

/**
 * What a heading's `\s*\n` reads from `at`: the white-space run there must hold a line
 * feed; `first` is the first one, `start` where the line after the last one starts (the
 * greedy `\s*` gives back only what the `\n` needs). Undefined when the run has no LF.
 * One pass over the run, where a pattern scanned it again from each of its LFs (issue 11).
 */
export function blankRun(
	text: string,
	at: number,
): { first: number; start: number } | undefined {
	let first = -1;
	let last = -1;
	let i = at;
	for (; i < text.length && /\s/.test(text[i] ?? ""); i++)
		if (text[i] === "\n") {
			if (first < 0) first = i;
			last = i;
		}
	return first < 0 ? undefined : { first, start: last + 1 };
}

/** White space folded to one space, trimmed, at most `max` characters; undefined when empty. */
export function collapse(
	text: string | undefined,
	max = 500,
): string | undefined {
	const out = (text ?? "").replace(/\s+/g, " ").trim();
	return out === "" ? undefined : out.slice(0, max);
}

/** Where the returned copy of the original starts in common text bounces. */
const RETURNED_COPY: readonly RegExp[] = [
	// "------ This is a copy of the message, including all the headers. ------" (Exim),
	// "Below is a copy of the original message:" (OpenSMTPD), "Message headers follow." (DMA),
	// "----- Original message -----" (Gmail), "Original message headers:" (Exchange)
	/^.{0,40}(?:copy of (?:the |your )?(?:original )?message|headers of (?:the |your )?(?:original )?message).{0,40}$/im,
	// a line that starts with the marker, so that prose such as "The MTS-ID of the
	// original message is: ..." (Exchange) does not cut the notice short
	/^[ \t-]*(?:original message|message headers|returned message|undelivered message|unsent message)\b.{0,40}$/im,
	// a header block at the start of a line: the returned original itself
	/^(?:Received|Return-Path|DKIM-Signature|ARC-Seal):[ \t]/im,
];

/** The notice's own text, without the returned original that some formats quote inline. */
export function noticeText(text: string): string {
	let end = text.length;
	for (const marker of RETURNED_COPY) {
		const match = marker.exec(text);
		if (match && match.index < end) end = match.index;
	}
	return text.slice(0, end);
}

/** Up to `max` characters of what the notice says after naming `address`, on one line. */
export function textAfter(
	text: string,
	address: string,
	max = 300,
): string | undefined {
	const notice = noticeText(text);
	const at = notice.toLowerCase().indexOf(address.toLowerCase());
	if (at < 0) return undefined;
	const after = notice
		.slice(at + address.length, at + address.length + max * 2)
		.replace(/\s+/g, " ")
		.replace(/^[>:,\s]+/, "")
		.trim();
	return after === "" ? undefined : after.slice(0, max);
}

/** A Bounce with one report per address (the first wins), or undefined when none is left. */
export function bounce(
	detector: string,
	recipients: readonly RecipientReport[],
	reportingMta?: string,
): Bounce | undefined {
	const seen = new Set<string>();
	const unique = recipients.filter((r) => {
		const key = r.address.toLowerCase();
		if (r.address === "" || seen.has(key)) return false;
		seen.add(key);
		return true;
	});
	if (unique.length === 0) return undefined;
	return { kind: "bounce", detector, recipients: unique, reportingMta };
}

/** The notice's own envelope and header addresses: ours, not a failed recipient. */
export function envelopeAddresses(message: Message): Set<string> {
	const skip = new Set<string>();
	for (const name of [
		"to",
		"from",
		"return-path",
		"sender",
		"reply-to",
		// not Delivered-To / X-Original-To: DragonFly puts the failed recipient there
	]) {
		for (const part of (header(message, name) ?? "").split(",")) {
			const address = stripAngles(part).toLowerCase();
			if (address.includes("@")) skip.add(address);
		}
	}
	return skip;
}
