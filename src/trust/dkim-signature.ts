import { Buffer } from "node:buffer";
import {
	type Canon,
	canonHeader,
	fieldValue,
	type HeaderField,
	parseTagList,
	stripFws,
	withEmptyB,
} from "./dkim-canon.ts";
import { isDnsName } from "./dkim-key.ts";

/** A DKIM-Signature field whose tags passed every check RFC 6376 asks before the key. */
export interface Signature {
	readonly algorithm: "rsa-sha256" | "ed25519-sha256";
	readonly headerCanon: Canon;
	readonly bodyCanon: Canon;
	/** The i= domain (d= when there is no i=). */
	readonly auidDomain: string;
	/** l=, when given. */
	readonly length: number | undefined;
	readonly bodyHash: Buffer;
	readonly signature: Buffer;
}

/** What a field says, read as far as it can be; `error` when it is no usable signature. */
export interface ParsedSignature {
	readonly domain: string;
	readonly selector: string;
	readonly identity: string | undefined;
	readonly signedHeaders: readonly string[];
	readonly checked: Signature | undefined;
	readonly error: string | undefined;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Reads and checks the tags of a DKIM-Signature field (RFC 6376 §3.5) at time `now` (s). */
export function parseSignature(raw: string, now: number): ParsedSignature {
	const tags = parseTagList(fieldValue(raw));
	const tag = (name: string) =>
		typeof tags === "string" ? undefined : tags.get(name);
	const h = tag("h");
	const read = {
		domain: (tag("d") ?? "").toLowerCase(),
		selector: (tag("s") ?? "").toLowerCase(),
		identity: tag("i"),
		signedHeaders:
			h === undefined
				? []
				: h.split(":").map((name) => stripFws(name).toLowerCase()),
	};
	const error = (text: string): ParsedSignature => ({
		...read,
		checked: undefined,
		error: text,
	});
	const { domain, selector, identity, signedHeaders } = read;

	if (typeof tags === "string") return error(`bad tag list: ${tags}`);
	// §3.5: v=, a=, b=, bh=, d=, h=, s= are required
	for (const name of ["v", "a", "b", "bh", "d", "h", "s"])
		if (tags.get(name) === undefined) return error(`no ${name}= tag`);
	if (tag("v") !== "1") return error("v= is not 1");
	const algorithm = tag("a");
	// RFC 8301 §3.1: verifiers MUST NOT consider rsa-sha1 signatures valid
	if (algorithm === "rsa-sha1") return error("rsa-sha1 (RFC 8301)");
	if (algorithm !== "rsa-sha256" && algorithm !== "ed25519-sha256")
		return error("unknown algorithm a=");
	// §3.5 c=: header/body, each simple or relaxed; simple/simple by default
	const [headerCanon, bodyCanon = "simple", ...rest] = (tag("c") ?? "simple")
		.toLowerCase()
		.split("/");
	if (rest.length > 0 || !isCanon(headerCanon) || !isCanon(bodyCanon))
		return error("unknown canonicalization c=");
	if (!isDnsName(domain) || !isDnsName(selector))
		return error("d= or s= is no domain name");
	if (signedHeaders.includes("")) return error("empty name in h=");
	// §5.4, §6.1.1: "If the h= tag does not include the From header field ... PERMFAIL"
	if (!signedHeaders.includes("from")) return error("From not in h=");
	// §3.5 i=, §6.1.1: the i= domain is d= or a subdomain of it
	const auid = (identity ?? `@${domain}`).toLowerCase();
	const auidDomain = auid.slice(auid.lastIndexOf("@") + 1);
	if (!auid.includes("@") || !isWithin(auidDomain, domain))
		return error("i= is not within d=");
	// §3.5 q=: dns/txt is the only query method
	const methods = (tag("q") ?? "dns/txt").split(":").map(stripFws);
	if (!methods.some((m) => m === "dns/txt" || m === "dns"))
		return error("no supported query method q=");
	const numbers = new Map<string, number>();
	for (const name of ["l", "t", "x"]) {
		const value = tag(name);
		if (value === undefined) continue;
		if (!/^\d+$/.test(value)) return error(`${name}= is not a number`);
		numbers.set(name, Number(value));
	}
	const signed = numbers.get("t");
	const expires = numbers.get("x");
	// §3.5 x=: "MUST be greater than the value of the t= tag if both are present"
	if (expires !== undefined && signed !== undefined && expires < signed)
		return error("x= is before t=");
	// §3.5 x=, §6.1.1: a verifier may return PERMFAIL (signature expired)
	if (expires !== undefined && expires < now)
		return error(`signature expired (x=${expires})`);
	// §3.5: white space in b= and bh= is ignored
	const bh = stripFws(tag("bh") ?? "");
	const b = stripFws(tag("b") ?? "");
	if (!BASE64.test(bh) || !BASE64.test(b))
		return error("b= or bh= is not base64");
	return {
		...read,
		checked: {
			algorithm,
			headerCanon,
			bodyCanon,
			auidDomain,
			length: numbers.get("l"),
			bodyHash: Buffer.from(bh, "base64"),
			signature: Buffer.from(b, "base64"),
		},
		error: undefined,
	};
}

function isCanon(value: string | undefined): value is Canon {
	return value === "simple" || value === "relaxed";
}

function isWithin(name: string, domain: string): boolean {
	return name === domain || name.endsWith(`.${domain}`);
}

/**
 * The data the signature covers (§3.7): the fields h= names, each name taking the next
 * instance from the bottom up (§5.4.2; a name with no instance left contributes nothing),
 * canonicalised and each ended with CRLF, then the signature's own field with b= emptied and
 * no final CRLF. The signature being verified is never one of the selected fields: it did not
 * exist when the data was signed.
 */
export function signedData(
	fields: readonly HeaderField[],
	signature: HeaderField,
	names: readonly string[],
	canon: Canon,
): string {
	const instances = new Map<string, HeaderField[]>();
	for (const field of fields)
		if (field !== signature) {
			const list = instances.get(field.name);
			if (list) list.push(field);
			else instances.set(field.name, [field]);
		}
	let data = "";
	for (const name of names) {
		const field = instances.get(name)?.pop();
		if (field) data += `${canonHeader(field.raw, canon)}\r\n`;
	}
	return data + canonHeader(withEmptyB(signature.raw), canon);
}
