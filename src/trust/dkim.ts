import { createHash, verify } from "node:crypto";
import { printable } from "../errors.ts";
import {
	bytes,
	type Canon,
	canonBody,
	type HeaderField,
	splitMessage,
} from "./dkim-canon.ts";
import {
	type DkimKeyLookup,
	type KeyRecord,
	parseKeyRecord,
} from "./dkim-key.ts";
import { parseSignature, signedData } from "./dkim-signature.ts";

export {
	combineLookups,
	type DkimKeyLookup,
	dnsKeyLookup,
	fileKeyLookup,
} from "./dkim-key.ts";

export interface DkimResult {
	readonly domain: string; // d=
	readonly selector: string; // s=
	readonly identity: string | undefined; // i=
	/**
	 * The header signature (b=) alone: a pass proves the key holder signed these header fields,
	 * whatever `bodyHash` says (returned originals rarely carry their whole body).
	 */
	readonly verdict: "pass" | "fail" | "neutral" | "temperror" | "permerror";
	readonly reason: string; // short, one line, for logs
	readonly bodyHash: "match" | "mismatch" | "unchecked";
	readonly signedHeaders: readonly string[]; // h= lowercased
}

export interface DkimOptions {
	/** The verification time for x= (RFC 6376 §3.5 suggests when the message arrived). */
	readonly now?: Date;
	/** At most this many DKIM-Signature fields, from the top, are verified (default 5). */
	readonly maxSignatures?: number;
}

/** Larger header blocks are not read past this (Postfix's header_size_limit is 100 KiB). */
const MAX_HEADER_BYTES = 256 * 1024;

/**
 * Verifies every DKIM-Signature header of a raw message (a header block alone is fine:
 * headers-only returns), top to bottom. The body hash is compared only when a body follows
 * the header block; it never changes the verdict.
 */
export async function verifyDkim(
	raw: Uint8Array,
	lookup: DkimKeyLookup,
	options: DkimOptions = {},
): Promise<DkimResult[]> {
	const message = splitMessage(raw, MAX_HEADER_BYTES);
	const keys = new Map<string, Promise<KeyRecord>>();
	const key = (selector: string, domain: string) => {
		const name = `${selector}._domainkey.${domain}`;
		let record = keys.get(name);
		if (!record) {
			record = fetchKey(lookup, selector, domain);
			keys.set(name, record);
		}
		return record;
	};
	const context: Context = {
		fields: message.fields,
		body: message.body,
		bodies: new Map(),
		now: Math.floor((options.now ?? new Date()).getTime() / 1000),
		key,
		truncated: message.truncated,
	};
	const signatures = message.fields
		.filter((field) => field.name === "dkim-signature")
		.slice(0, options.maxSignatures ?? 5);
	return Promise.all(signatures.map((field) => verifyOne(field, context)));
}

interface Context {
	readonly fields: readonly HeaderField[];
	readonly body: string | undefined;
	/** Canonical bodies, computed once per canonicalisation. */
	readonly bodies: Map<Canon, string>;
	readonly now: number;
	readonly key: (selector: string, domain: string) => Promise<KeyRecord>;
	readonly truncated: boolean;
}

type Verdict = DkimResult["verdict"];

async function verifyOne(
	field: HeaderField,
	context: Context,
): Promise<DkimResult> {
	const parsed = parseSignature(field.raw, context.now);
	let bodyHash: DkimResult["bodyHash"] = "unchecked";
	const result = (verdict: Verdict, reason: string): DkimResult => ({
		domain: printable(parsed.domain, 253),
		selector: printable(parsed.selector, 253),
		identity:
			parsed.identity === undefined
				? undefined
				: printable(parsed.identity, 253),
		verdict,
		reason: printable(reason, 200),
		bodyHash,
		signedHeaders: parsed.signedHeaders.map((name) => printable(name)),
	});
	const signature = parsed.checked;
	if (signature === undefined)
		return result("permerror", parsed.error ?? "unusable signature");

	if (context.body !== undefined) {
		const { bodyCanon, length } = signature;
		let canonical = context.bodies.get(bodyCanon);
		if (canonical === undefined) {
			canonical = canonBody(context.body, bodyCanon);
			context.bodies.set(bodyCanon, canonical);
		}
		// §3.5 l=: only the first l octets of the canonical body are hashed
		const counted =
			length === undefined ? canonical : canonical.slice(0, length);
		const digest = createHash("sha256").update(bytes(counted)).digest();
		const matches =
			digest.equals(signature.bodyHash) &&
			counted.length === (length ?? counted.length);
		// nothing after the header block is usually a headers-only return, not an empty body
		bodyHash = matches ? "match" : context.body === "" ? bodyHash : "mismatch";
	}
	if (context.truncated)
		return result("neutral", `header block over ${MAX_HEADER_BYTES} bytes`);

	const record = await context.key(parsed.selector, parsed.domain);
	if (!record.ok) return result(record.verdict, record.reason);
	const { key } = record;
	// §6.1.2: a key unsuitable for a= is PERMFAIL (inappropriate key algorithm)
	if (!signature.algorithm.startsWith(`${key.type}-`))
		return result(
			"permerror",
			`key type ${key.type} does not fit a=${signature.algorithm}`,
		);
	// §3.6.1 t=s: the i= domain must be d= itself
	if (key.strict && signature.auidDomain !== parsed.domain)
		return result("permerror", "i= is a subdomain of d= but the key has t=s");

	const data = bytes(
		signedData(
			context.fields,
			field,
			parsed.signedHeaders,
			signature.headerCanon,
		),
	);
	let valid = false;
	try {
		// RFC 8463 §3: Ed25519 signs the SHA-256 hash of the data (PureEdDSA)
		valid =
			key.type === "rsa"
				? verify("sha256", data, key.key, signature.signature)
				: verify(
						null,
						createHash("sha256").update(data).digest(),
						key.key,
						signature.signature,
					);
	} catch {
		valid = false;
	}
	if (!valid) return result("fail", "signature did not verify");
	return result(
		"pass",
		key.testing
			? "signature verified; key in testing mode (t=y)"
			: "signature verified",
	);
}

async function fetchKey(
	lookup: DkimKeyLookup,
	selector: string,
	domain: string,
): Promise<KeyRecord> {
	let text: string | undefined;
	try {
		text = await lookup(selector, domain);
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		return {
			ok: false,
			verdict: "temperror",
			reason: `key lookup: ${message}`,
		};
	}
	// §6.1.2: no key record is PERMFAIL (no key for signature)
	if (text === undefined)
		return { ok: false, verdict: "permerror", reason: "no key for signature" };
	return parseKeyRecord(text);
}
