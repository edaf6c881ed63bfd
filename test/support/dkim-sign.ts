// A small DKIM signer (RFC 6376, rsa-sha256, relaxed/relaxed) for the trust tests:
// it signs a header block the way our report generator's MTA would.
import {
	createHash,
	generateKeyPairSync,
	type KeyObject,
	sign,
} from "node:crypto";

/** Our test key (RSA-2048: its TXT record needs two 255-octet strings). */
export const KEYS = generateKeyPairSync("rsa", { modulusLength: 2048 });

/** The TXT record of a public key (ours by default): `v=DKIM1; k=rsa; p=...`. */
export function txtRecord(publicKey: KeyObject = KEYS.publicKey): string {
	const der = publicKey.export({ type: "spki", format: "der" });
	return `v=DKIM1; k=rsa; p=${der.toString("base64")}`;
}

/** RFC 6376 §3.4.2 relaxed header canonicalisation of one `Name: value` field. */
function relaxed(field: string): string {
	const colon = field.indexOf(":");
	const value = field
		.slice(colon + 1)
		.replace(/\r?\n(?=[ \t])/g, "")
		.replace(/[ \t]+/g, " ")
		.trim();
	return `${field.slice(0, colon).trim().toLowerCase()}:${value}`;
}

export interface SignOptions {
	/** h= as written; default: the names of `fields`. A name with no field signs nothing. */
	readonly h?: string;
	/** The signing key; default: ours. */
	readonly key?: KeyObject;
}

/**
 * Signs `fields` (each `Name: value`, no line end, in h= order) as d=domain s=selector;
 * returns the signature field.
 */
export function signHeaders(
	fields: readonly string[],
	domain: string,
	selector: string,
	options: SignOptions = {},
): string {
	const names =
		options.h ??
		fields.map((f) => f.slice(0, f.indexOf(":")).toLowerCase()).join(":");
	const bh = createHash("sha256").update("\r\n").digest("base64");
	const unsigned = `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=${domain}; s=${selector}; h=${names}; bh=${bh}; b=`;
	const data = `${fields.map((f) => `${relaxed(f)}\r\n`).join("")}${relaxed(unsigned)}`;
	return (
		unsigned +
		sign(
			"sha256",
			Buffer.from(data, "latin1"),
			options.key ?? KEYS.privateKey,
		).toString("base64")
	);
}
