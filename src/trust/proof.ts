import { stripAngles } from "../dsn/address.ts";
import { normalizeMailbox } from "../dsn/mailbox.ts";
import { TempFailError } from "../errors.ts";
import { embedded, type Message } from "../mail/message.ts";
import { returnedParts } from "../report/index.ts";
import type { DkimKeyLookup } from "./dkim.ts";

export interface TrustOptions {
	/** Our report senders; empty: anyone's bounce counts (the original's behaviour). */
	readonly senders: readonly string[];
	/** Verify DKIM on the returned headers with these keys; undefined: no check. */
	readonly dkim: DkimKeyLookup | undefined;
	/** Only a verified signature of ours may make us suppress. */
	readonly requireDkim: boolean;
}

export const TRUST_ANYONE: TrustOptions = {
	senders: [],
	dkim: undefined,
	requireDkim: false,
};

export interface Proof {
	/** null when the DSN may count; else why it may not. */
	readonly refused: string | null;
	readonly dkim: string | null;
}

/**
 * Whether a bounce may make us suppress `addresses` (issue 5, "Trust"): anyone can
 * mail the report sender address, so with --sender the returned original must come
 * from one of our senders and name the failed addresses as its recipients, and with
 * --require-dkim our DKIM signature over those header fields must verify (RFC 6376):
 * the only proof that we sent that report to that address.
 */
export async function prove(
	message: Message,
	addresses: readonly string[],
	trust: TrustOptions,
): Promise<Proof> {
	if (trust.senders.length === 0 && trust.dkim === undefined)
		return { refused: null, dkim: null };
	const part = returnedParts(message)[0];
	if (!part) return { refused: "no-returned-original", dkim: null };
	const original = await embedded(part);
	// RFC 5322 §3.6: one From, To and Cc at most. An extra field above a signed one
	// would not break DKIM (bottom-up selection) but would name a forged recipient.
	for (const name of ["from", "to", "cc"])
		if (original.headers.filter((h) => h.name === name).length > 1)
			return { refused: `repeated-${name}`, dkim: null };
	const ours = new Set(
		trust.senders
			.map((s) => normalizeMailbox(s))
			.filter((s) => s !== undefined),
	);
	if (ours.size > 0) {
		const from = [
			...addressesIn(original, ["from", "return-path", "sender"]),
			...dsnSender(message),
		];
		if (!from.some((a) => ours.has(withoutExtension(a))))
			return { refused: "not-our-sender", dkim: null };
		const recipients = new Set(addressesIn(original, ["to", "cc"]));
		if (!addresses.every((a) => recipients.has(a)))
			return { refused: "not-a-recipient", dkim: null };
	}
	if (trust.dkim === undefined) return { refused: null, dkim: null };
	const domains = new Set(
		[...ours].map((a) => a.slice(a.lastIndexOf("@") + 1)),
	);
	// node:crypto loads only when a signature is to be checked (ingest start-up time)
	const { verifyDkim } = await import("./dkim.ts");
	const results = await verifyDkim(part.content, trust.dkim);
	if (results.some((r) => r.verdict === "temperror"))
		throw new TempFailError("DKIM key lookup failed, will retry");
	const good = results.find(
		(r) =>
			r.verdict === "pass" &&
			(domains.size === 0 ||
				[...domains].some(
					(d) => d === r.domain || d.endsWith(`.${r.domain}`),
				)) &&
			r.signedHeaders.includes("from") &&
			r.signedHeaders.includes("to"),
	);
	const summary = good
		? `pass d=${good.domain}`
		: (results[0]?.verdict ?? "none");
	if (trust.requireDkim && !good)
		return { refused: "dkim-unverified", dkim: summary };
	return { refused: null, dkim: summary };
}

/** Addresses in the named header fields of the returned original, normalised. */
function addressesIn(original: Message, names: readonly string[]): string[] {
	const out: string[] = [];
	for (const header of original.headers) {
		if (!names.includes(header.name)) continue;
		for (const piece of header.value.split(",")) {
			const address = normalizeMailbox(stripAngles(piece));
			if (address) out.push(address);
		}
	}
	return out;
}

/** Postfix names the original envelope sender: `X-Postfix-Sender: rfc822; sender`. */
function dsnSender(message: Message): string[] {
	const out: string[] = [];
	for (const part of message.parts) {
		if (!part.mimeType.endsWith("delivery-status")) continue;
		const text = new TextDecoder().decode(part.content);
		const match = /^X-Postfix-Sender:\s*(?:rfc822;)?\s*(\S+)/im.exec(text);
		const address = match
			? normalizeMailbox(stripAngles(match[1] ?? ""))
			: undefined;
		if (address) out.push(address);
	}
	return out;
}

/** VERP: `sender+rua=example.org@example.com` is `sender@example.com`. */
function withoutExtension(address: string): string {
	const at = address.lastIndexOf("@");
	const plus = address.indexOf("+");
	return plus > 0 && plus < at
		? address.slice(0, plus) + address.slice(at)
		: address;
}
