import { Buffer } from "node:buffer";
import { createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { errnoCode, printable } from "../errors.ts";
import { resolveTxt } from "./dns.ts";

/**
 * Returns the TXT record text for `${selector}._domainkey.${domain}` ("v=DKIM1; k=rsa; p=..."),
 * or undefined when there is none (NXDOMAIN, no TXT record). Throws when the answer cannot be
 * had now (SERVFAIL, timeout): the signature is then a temperror, not a permerror.
 */
export type DkimKeyLookup = (
	selector: string,
	domain: string,
) => Promise<string | undefined>;

export interface DkimKey {
	readonly type: "rsa" | "ed25519";
	readonly key: KeyObject;
	/** t=s: the i= domain must be d= itself, no subdomain (RFC 6376 §3.6.1). */
	readonly strict: boolean;
	/** t=y: the domain is testing DKIM (RFC 6376 §3.6.1). */
	readonly testing: boolean;
}

export type KeyRecord =
	| { readonly ok: true; readonly key: DkimKey }
	| {
			readonly ok: false;
			readonly verdict: "fail" | "permerror" | "temperror";
			readonly reason: string;
	  };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** RFC 8301 §3.2: verifiers MUST NOT accept RSA keys under 1024 bits. */
const MIN_RSA_BITS = 1024;
/** Beyond what any signer publishes; bounds the work a forged record can cause. */
const MAX_RSA_BITS = 8192;
/** SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410): the raw 32 bytes follow it. */
const ED25519_SPKI = Buffer.from("302a300506032b6570032100", "hex");

/** RFC 6376 §3.6.1 key record (RFC 8463 §4 for k=ed25519) to a key, or why there is none. */
export function parseKeyRecord(text: string): KeyRecord {
	const tags = parseTagList(text);
	if (typeof tags === "string") return bad(tags);
	const version = tags.get("v");
	// "If specified, this tag MUST be set to DKIM1 ... MUST be the first tag in the record"
	if (version !== undefined && (version !== "DKIM1" || first(tags) !== "v"))
		return bad("v= is not DKIM1 or not the first tag");
	const hashes = tags.get("h");
	if (hashes !== undefined && !list(hashes).includes("sha256"))
		return bad("h= does not allow sha256");
	const services = tags.get("s");
	if (services !== undefined && !list(services).some(isEmailService))
		return bad("s= does not allow email");
	const p = tags.get("p");
	if (p === undefined) return bad("no p=");
	const data = stripFws(p);
	// §3.6.1: "An empty value means that this public key has been revoked"
	if (data === "")
		return { ok: false, verdict: "fail", reason: "key revoked (empty p=)" };
	if (!BASE64.test(data)) return bad("p= is not base64");
	const der = Buffer.from(data, "base64");
	const flags = list(tags.get("t") ?? "");
	const strict = flags.includes("s");
	const testing = flags.includes("y");
	const type = (tags.get("k") ?? "rsa").toLowerCase();
	if (type === "rsa") {
		const key = importDer(der, "spki") ?? importDer(der, "pkcs1");
		if (key?.asymmetricKeyType !== "rsa") return bad("p= is no RSA key");
		const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
		if (bits < MIN_RSA_BITS)
			return bad(`RSA key of ${bits} bits, under 1024 (RFC 8301)`);
		if (bits > MAX_RSA_BITS) return bad(`RSA key of ${bits} bits`);
		return { ok: true, key: { type, key, strict, testing } };
	}
	if (type === "ed25519") {
		// RFC 8463 §4: p= is the raw 32-byte public key, not a SubjectPublicKeyInfo
		const key =
			der.length === 32
				? importDer(Buffer.concat([ED25519_SPKI, der]), "spki")
				: undefined;
		if (key?.asymmetricKeyType !== "ed25519")
			return bad("p= is no 32-byte Ed25519 key");
		return { ok: true, key: { type, key, strict, testing } };
	}
	return bad(`unknown key type k=${printable(type, 20)}`);
}

function bad(reason: string): KeyRecord {
	return { ok: false, verdict: "permerror", reason: `key record: ${reason}` };
}

function first(tags: Map<string, string>): string | undefined {
	for (const name of tags.keys()) return name;
	return undefined;
}

function list(value: string): string[] {
	return value
		.split(":")
		.map((item) => trimFws(item).toLowerCase())
		.filter((item) => item !== "");
}

function isEmailService(service: string): boolean {
	return service === "*" || service === "email";
}

function importDer(der: Buffer, type: "spki" | "pkcs1"): KeyObject | undefined {
	try {
		return createPublicKey({ key: der, format: "der", type });
	} catch {
		return undefined;
	}
}

/** A selector or domain as DNS takes it: LDH labels (and "_"), 253 octets at most. */
const NAME =
	/^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/i;

export function isDnsName(name: string): boolean {
	return NAME.test(name);
}

/**
 * Keys from DNS: the TXT record of `selector._domainkey.domain`, its strings joined (RFC 6376
 * §3.6.2.2). NXDOMAIN or no TXT record: undefined (a permerror, "no key for signature",
 * §6.1.2). SERVFAIL, refusal, timeout: throws (a temperror). Several records: the first that
 * starts with v=DKIM1, else the first (§6.1.2 lets the verifier choose).
 */
export function dnsKeyLookup(
	timeoutMs = 5000,
	servers?: readonly string[],
): DkimKeyLookup {
	return async (selector, domain) => {
		const name = `${selector}._domainkey.${domain}`;
		if (!isDnsName(name)) return undefined;
		const records = await resolveTxt(name, timeoutMs, servers);
		if (records === undefined) return undefined;
		return (
			records.find((record) => /^[ \t]*v[ \t]*=[ \t]*DKIM1/.test(record)) ??
			records[0]
		);
	};
}

/** The domains of `selector._domainkey.DOMAIN=FILE` specs (whose signatures are ours). */
export function keyDomains(specs: readonly string[]): string[] {
	return specs.flatMap((spec) => {
		const name = spec.slice(0, Math.max(spec.indexOf("="), 0)).toLowerCase();
		const at = name.indexOf("._domainkey.");
		return at > 0 ? [name.slice(at + "._domainkey.".length)] : [];
	});
}

const MAX_KEY_FILE = 64 * 1024;

/**
 * Keys from files named on the command line: `selector._domainkey.example.com=/path/to/file`,
 * the file holding the TXT record text (as published; a zone-file line with quoted strings is
 * fine, e.g. opendkim-genkey's .txt) or a PEM public key (RSA or Ed25519). Every file is read
 * and checked now: a bad spec, an unreadable file or one without a usable key throws a plain
 * Error saying which.
 */
export function fileKeyLookup(specs: readonly string[]): DkimKeyLookup {
	const records = new Map<string, string>();
	for (const spec of specs) {
		const eq = spec.indexOf("=");
		const name = spec.slice(0, Math.max(eq, 0)).toLowerCase();
		const path = spec.slice(eq + 1);
		const at = name.indexOf("._domainkey.");
		if (eq === -1 || at <= 0 || path === "" || !isDnsName(name))
			throw new Error(
				`DKIM key "${printable(spec)}": expected selector._domainkey.DOMAIN=FILE`,
			);
		if (records.has(name)) throw new Error(`DKIM key for ${name} given twice`);
		records.set(name, readKeyFile(path));
	}
	return async (selector, domain) =>
		records.get(`${selector}._domainkey.${domain}`.toLowerCase());
}

function readKeyFile(path: string): string {
	let text: string;
	try {
		text = readFileSync(path, "latin1");
	} catch (error) {
		throw new Error(
			`DKIM key file ${path}: cannot read it (${errnoCode(error) ?? printable(String(error))})`,
		);
	}
	if (text.length > MAX_KEY_FILE)
		throw new Error(`DKIM key file ${path}: over ${MAX_KEY_FILE} bytes`);
	const record = text.includes("-----BEGIN")
		? pemRecord(text, path)
		: txtRecord(text);
	const parsed = parseKeyRecord(record);
	if (!parsed.ok && parsed.verdict === "permerror")
		throw new Error(`DKIM key file ${path}: ${parsed.reason}`);
	return record;
}

/** The record text of a file: its quoted strings joined when it has any (zone-file syntax). */
function txtRecord(text: string): string {
	const strings = [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) =>
		(match[1] ?? "").replace(/\\(.)/g, "$1"),
	);
	return strings.length > 0 ? strings.join("") : text.trim();
}

function pemRecord(text: string, path: string): string {
	if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text))
		throw new Error(
			`DKIM key file ${path}: holds a private key; give the public key (openssl pkey -pubout)`,
		);
	let key: KeyObject;
	try {
		key = createPublicKey(text);
	} catch {
		throw new Error(`DKIM key file ${path}: no readable PEM public key`);
	}
	const der = key.export({ type: "spki", format: "der" });
	if (key.asymmetricKeyType === "rsa")
		return `v=DKIM1; k=rsa; p=${der.toString("base64")}`;
	if (key.asymmetricKeyType === "ed25519")
		return `v=DKIM1; k=ed25519; p=${der.subarray(ED25519_SPKI.length).toString("base64")}`;
	throw new Error(
		`DKIM key file ${path}: a ${key.asymmetricKeyType ?? "unknown"} key, not RSA or Ed25519`,
	);
}

/**
 * Asks each lookup in turn; the first record found wins. When none has one and one of them
 * failed, that failure is thrown (temperror), else undefined (no key).
 */
export function combineLookups(...lookups: DkimKeyLookup[]): DkimKeyLookup {
	return async (selector, domain) => {
		let failure: { error: unknown } | undefined;
		for (const lookup of lookups) {
			try {
				const record = await lookup(selector, domain);
				if (record !== undefined) return record;
			} catch (error) {
				failure ??= { error };
			}
		}
		if (failure) throw failure.error;
		return undefined;
	};
}

/** White space and folding (RFC 6376 §2.8 FWS) trimmed from both ends, in one pass each way. */
export function trimFws(text: string): string {
	const ws = (c: string | undefined) =>
		c === " " || c === "\t" || c === "\r" || c === "\n";
	let start = 0;
	let end = text.length;
	while (start < end && ws(text[start])) start++;
	while (end > start && ws(text[end - 1])) end--;
	return text.slice(start, end);
}

/** Drops all folding white space, for base64 values (p=: RFC 6376 §3.6.1). */
export function stripFws(text: string): string {
	return text.replace(/[ \t\r\n]+/g, "");
}

/**
 * RFC 6376 §3.2 tag list: `tag=value` specs separated by ";", white space (and folding) around
 * names and values ignored, names case-sensitive, a trailing ";" allowed. A duplicate name makes
 * the whole list invalid. Returns the tags in order, or a reason why the list is invalid.
 */
export function parseTagList(text: string): Map<string, string> | string {
	const tags = new Map<string, string>();
	for (const spec of text.split(";")) {
		if (trimFws(spec) === "") continue;
		const eq = spec.indexOf("=");
		if (eq === -1) return `tag without "=": ${spec.slice(0, 20)}`;
		const name = trimFws(spec.slice(0, eq));
		if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name))
			return `bad tag name: ${name.slice(0, 20)}`;
		if (tags.has(name)) return `duplicate tag ${name}=`;
		tags.set(name, trimFws(spec.slice(eq + 1)));
	}
	return tags;
}
