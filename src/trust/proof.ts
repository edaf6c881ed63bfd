import { stripAngles } from "../dsn/address.ts";
import { normalizeMailbox } from "../dsn/mailbox.ts";
import { TempFailError } from "../errors.ts";
import { embedded, type Message } from "../mail/message.ts";
import { returnedParts } from "../report/index.ts";
import type { DkimKeyLookup, DkimResult } from "./dkim.ts";

export interface TrustOptions {
	/** Our report senders; empty: anyone's bounce counts (the original's behaviour). */
	readonly senders: readonly string[];
	/** Verify DKIM on the returned headers with these keys; undefined: no check. */
	readonly dkim: DkimKeyLookup | undefined;
	/** Only a verified signature of ours may make us suppress. */
	readonly requireDkim: boolean;
	/** The domains of the --dkim-key keys: their signatures are ours too. */
	readonly keyDomains?: readonly string[];
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

/** The domains whose DKIM signatures are ours: those of --sender and of --dkim-key. */
export function ourDomains(trust: TrustOptions): Set<string> {
	const domains = new Set<string>();
	for (const sender of trust.senders) {
		const address = normalizeMailbox(sender);
		if (address) domains.add(address.slice(address.lastIndexOf("@") + 1));
	}
	for (const domain of trust.keyDomains ?? [])
		domains.add(domain.toLowerCase());
	return domains;
}

/**
 * Options that cannot hold are refused before any message is read (ingest then defers with
 * 4.3.0): --require-dkim without --sender or --dkim-key would take anyone's valid signature,
 * an attacker's own domain and key included, as proof.
 */
export function checkTrust(trust: TrustOptions): void {
	if (trust.requireDkim && ourDomains(trust).size === 0)
		throw new Error(
			"--require-dkim needs --sender or --dkim-key: without them any domain's signature would count",
		);
}

/** d= is one of our domains or a parent of one (a signer may sign for its subdomains). */
function isOurs(domain: string, ours: ReadonlySet<string>): boolean {
	const d = domain.toLowerCase();
	for (const our of ours) if (our === d || our.endsWith(`.${d}`)) return true;
	return false;
}

/**
 * Whether a bounce may make us suppress `addresses` (issue 5, "Trust"; issue 11): anyone can
 * mail the report sender address, so with --sender the returned original must come from one
 * of our senders and name the failed addresses as its recipients, and with --require-dkim a
 * verified DKIM signature of one of our domains (RFC 6376) must cover a From of ours and
 * To or Cc fields that name every failed address: the only proof that we sent that report
 * to that address. The covered fields are the instances the signature selected, from the
 * bottom up (RFC 6376 §5.4.2): a field added above them after signing never counts.
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
		const recipients = new Set(namedRecipients(original));
		if (!addresses.every((a) => recipients.has(a)))
			return { refused: "not-a-recipient", dkim: null };
	}
	const { dkim } = trust;
	if (dkim === undefined) return { refused: null, dkim: null };
	const domains = ourDomains(trust);
	// keys of other domains are never looked up: their signatures prove nothing here
	const lookup: DkimKeyLookup = async (selector, domain) =>
		domains.size === 0 || isOurs(domain, domains)
			? dkim(selector, domain)
			: undefined;
	// node:crypto and mailauth load only when a signature is to be checked (start-up time)
	const { verifyDkim } = await import("./dkim.ts");
	const results = await verifyDkim(part.content, lookup);
	const mine = results.filter(
		(r) => domains.size === 0 || isOurs(r.domain, domains),
	);
	const passed = mine.filter((r) => r.verdict === "pass");
	const good = passed.find((r) => covers(r, addresses, ours));
	if (!good && mine.some((r) => r.verdict === "temperror"))
		throw new TempFailError("DKIM key lookup failed, will retry");
	const summary = good
		? `pass d=${good.domain}`
		: passed[0]
			? `pass d=${passed[0].domain}, not over the failed address`
			: results[0]
				? `${results[0].verdict} d=${results[0].domain}${mine.length === 0 ? " (not ours)" : ""}`
				: "none";
	if (trust.requireDkim && !good)
		return {
			refused:
				passed.length > 0 ? "dkim-unsigned-recipient" : "dkim-unverified",
			dkim: summary,
		};
	return { refused: null, dkim: summary };
}

/**
 * The signature covers a From of ours (when --sender names ours) and To/Cc fields naming
 * every address. Cc counts only when h= covers it: otherwise no Cc is among the signed fields.
 */
function covers(
	result: DkimResult,
	addresses: readonly string[],
	ours: ReadonlySet<string>,
): boolean {
	const fields = result.signedFields.map((line) => {
		const colon = line.indexOf(":");
		return {
			name: line.slice(0, colon).trim().toLowerCase(),
			value: line.slice(colon + 1),
		};
	});
	const signed = (names: readonly string[]) =>
		fields
			.filter((f) => names.includes(f.name))
			.flatMap((f) => mailboxes(f.value));
	const from = signed(["from"]);
	if (from.length === 0) return false;
	if (ours.size > 0 && !from.some((a) => ours.has(withoutExtension(a))))
		return false;
	const recipients = new Set(signed(["to", "cc"]));
	return addresses.every((a) => recipients.has(a));
}

/**
 * The recipients a returned original names, To and Cc, normalised as map keys: the rua
 * addresses of one of our reports (decide.ts records only those, issue 11).
 */
export function namedRecipients(original: Message): string[] {
	return addressesIn(original, ["to", "cc"]);
}

/** Addresses in the named header fields of the returned original, normalised. */
function addressesIn(original: Message, names: readonly string[]): string[] {
	const out: string[] = [];
	for (const header of original.headers) {
		if (names.includes(header.name)) out.push(...mailboxes(header.value));
	}
	return out;
}

/** The addresses of an address-list field value, normalised. */
function mailboxes(value: string): string[] {
	const out: string[] = [];
	for (const piece of value.split(",")) {
		const address = normalizeMailbox(stripAngles(piece));
		if (address) out.push(address);
	}
	return out;
}

/** Postfix names the original envelope sender: `X-Postfix-Sender: rfc822; sender`. */
function dsnSender(message: Message): string[] {
	const out: string[] = [];
	for (const part of message.parts) {
		if (!part.mimeType.endsWith("delivery-status")) continue;
		const text = new TextDecoder().decode(part.content);
		const match = /^X-Postfix-Sender:[ \t]*(?:rfc822;[ \t]*)?(\S+)/im.exec(
			text,
		);
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
