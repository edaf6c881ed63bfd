import { Buffer } from "node:buffer";
import type {
	MailauthResult,
	MailauthSignatureHeader,
} from "mailauth/lib/dkim/dkim-verifier.js";
import { printable } from "../errors.ts";
import type { DkimKeyLookup } from "./dkim-key.ts";

export {
	combineLookups,
	type DkimKeyLookup,
	dnsKeyLookup,
	fileKeyLookup,
	keyDomains,
} from "./dkim-key.ts";

export interface DkimResult {
	readonly domain: string; // d=
	readonly selector: string; // s=
	readonly identity: string | undefined; // i= (the AUID)
	/**
	 * The header signature (b=) alone: a pass proves the key holder signed these header fields,
	 * whatever `bodyHash` says (returned originals rarely carry their whole body).
	 */
	readonly verdict: "pass" | "fail" | "neutral" | "temperror" | "permerror";
	readonly reason: string; // short, one line, for logs
	readonly bodyHash: "match" | "mismatch" | "unchecked";
	readonly signedHeaders: readonly string[]; // h= lowercased
	/**
	 * The header fields the signature covers, as they stand in the message ("Name: value",
	 * unfolded): for each name in h= the next instance from the bottom (RFC 6376 §5.4.2). An
	 * instance added above a signed one is not among them.
	 */
	readonly signedFields: readonly string[];
}

export interface DkimOptions {
	/** The verification time for x= (RFC 6376 §3.5 suggests when the message arrived). */
	readonly now?: Date;
	/** More DKIM-Signature fields than this and none is verified (default 5). */
	readonly maxSignatures?: number;
}

/** Larger header blocks are not read past this (Postfix's header_size_limit is 100 KiB). */
const MAX_HEADER_BYTES = 256 * 1024;

/**
 * Verifies every DKIM-Signature header of a raw message (a header block alone is fine:
 * headers-only returns) with mailauth (postalsys), in its strict RFC 6376/8301/8463 mode. The
 * verdict is the header signature's: a returned original rarely carries its whole body, so the
 * body hash is compared and reported but never changes the verdict. mailauth is loaded here,
 * on first use, so runs without a DKIM option never load it.
 */
export async function verifyDkim(
	raw: Uint8Array,
	lookup: DkimKeyLookup,
	options: DkimOptions = {},
): Promise<DkimResult[]> {
	const input = crlf(raw);
	const end = headerEnd(input);
	const headers = input.subarray(0, end ?? input.length).toString("latin1");
	const count = (headers.match(/^dkim-signature[ \t]*:/gim) ?? []).length;
	if (count === 0) return [];
	if (
		end === undefined ? input.length > MAX_HEADER_BYTES : end > MAX_HEADER_BYTES
	)
		return [refused(`header block over ${MAX_HEADER_BYTES} bytes`)];
	const max = options.maxSignatures ?? 5;
	if (count > max) return [refused(`over ${max} DKIM-Signature fields`)];
	const body = end === undefined ? undefined : end < input.length;
	/** Each result's h= as written: mailauth lists only the names it found. */
	const names = new Map<MailauthResult, unknown>();

	const { DkimVerifier } = await mailauth();
	/** Checks b= over the header fields whatever the body hash (see DkimResult.verdict). */
	class HeaderVerifier extends DkimVerifier {
		override async verifySignature(
			header: MailauthSignatureHeader,
			fallback?: boolean,
		): Promise<MailauthResult> {
			const key = fallback ? header.fallbackBodyHashKey : header.bodyHashKey;
			const hasher = key === undefined ? undefined : this.bodyHashes.get(key);
			const actual = hasher?.hash;
			const claimed = header.parsed?.bh?.value;
			if (hasher && typeof claimed === "string") hasher.hash = claimed;
			try {
				const result = await super.verifySignature(header, fallback);
				result.bodyHash = actual;
				names.set(result, header.parsed?.h?.value);
				return result;
			} finally {
				if (hasher) hasher.hash = actual;
			}
		}
	}
	const verifier = new HeaderVerifier({
		resolver: resolverFor(lookup),
		strict: true,
		...(options.now ? { curTime: options.now } : {}),
	});
	await new Promise<void>((resolve, reject) => {
		verifier.on("error", reject);
		verifier.on("finish", resolve);
		verifier.end(input);
	});
	return verifier.results
		.filter((r) => r.signingDomain !== undefined)
		.map((r) => toResult(r, body, names.get(r)));
}

type Mailauth = typeof import("mailauth/lib/dkim/dkim-verifier.js");

let loaded: Promise<Mailauth> | undefined;

/** mailauth is CommonJS: its exports are named or under default, by runtime. */
function mailauth(): Promise<Mailauth> {
	loaded ??= import("mailauth/lib/dkim/dkim-verifier.js").then(
		(module) => (module as Mailauth & { default?: Mailauth }).default ?? module,
	);
	return loaded;
}

/** mailauth asks for "selector._domainkey.domain" TXT; no key is ENOTFOUND ("no key"). */
function resolverFor(lookup: DkimKeyLookup) {
	return async (name: string): Promise<string[][]> => {
		const at = name.toLowerCase().indexOf("._domainkey.");
		const record =
			at > 0 ? await lookup(name.slice(0, at), name.slice(at + 12)) : undefined;
		if (record === undefined)
			throw Object.assign(new Error(`no key record at ${name}`), {
				code: "ENOTFOUND",
			});
		return [[record]];
	};
}

const VERDICTS: Readonly<Record<string, DkimResult["verdict"]>> = {
	pass: "pass",
	fail: "fail",
	temperror: "temperror",
	// RFC 8601 §2.7.1 neutral and policy are RFC 6376 PERMFAILs (no key, bad record, rsa-sha1)
	neutral: "permerror",
	policy: "permerror",
	permerror: "permerror",
};

/** `body`: undefined without a blank line after the headers, else whether anything follows it. */
function toResult(
	r: MailauthResult,
	body: boolean | undefined,
	h: unknown,
): DkimResult {
	const matches =
		r.bodyHash !== undefined && r.bodyHash === r.bodyHashExpecting;
	const verdict = VERDICTS[r.status.result] ?? "permerror";
	const identity = r.status.header?.i;
	const reason =
		verdict === "pass"
			? r.status.testing
				? "signature verified; key in testing mode (t=y)"
				: "signature verified"
			: r.status.comment ||
				Object.values(r.status.policy ?? {})[0] ||
				r.status.result;
	return {
		domain: printable(r.signingDomain ?? "", 253).toLowerCase(),
		selector: printable(r.selector ?? "", 253),
		identity: identity ? printable(identity, 253) : undefined,
		verdict,
		reason: printable(reason, 200),
		// nothing after the header block is usually a headers-only return, not an empty body
		bodyHash:
			body === undefined
				? "unchecked"
				: matches
					? "match"
					: body
						? "mismatch"
						: "unchecked",
		signedHeaders: (typeof h === "string" ? h : "")
			.split(":")
			.map((name) => printable(name.trim().toLowerCase()))
			.filter((name) => name !== ""),
		signedFields: (r.signingHeaders?.headers ?? []).map((line) =>
			line.replace(/\r?\n(?=[ \t])/g, "").replace(/\r?\n$/, ""),
		),
	};
}

function refused(reason: string): DkimResult {
	return {
		domain: "",
		selector: "",
		identity: undefined,
		verdict: "permerror",
		reason,
		bodyHash: "unchecked",
		signedHeaders: [],
		signedFields: [],
	};
}

/** LF-only input (Postfix pipe) as CRLF, which DKIM canonicalisation works on (RFC 6376 §3.4). */
function crlf(raw: Uint8Array): Buffer {
	const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
	if (!bytes.includes(0x0a)) return bytes;
	return Buffer.from(
		bytes.toString("latin1").replace(/\r?\n/g, "\r\n"),
		"latin1",
	);
}

/** Where the blank line ending the header block ends, if there is one. */
function headerEnd(input: Buffer): number | undefined {
	if (input.subarray(0, 2).toString("latin1") === "\r\n") return 2;
	const at = input.indexOf("\r\n\r\n");
	return at === -1 ? undefined : at + 4;
}
