import { stripComments } from "./fields.ts";

/**
 * Decodes an address field `type; address` (RFC 3464 §2.3.1-2.3.2, requirements R10):
 * the type is case-insensitive and optional, white space after `;` is optional, angle
 * brackets and comments go. Returns the bare address text, not yet validated.
 *
 * An `rfc822` address is written as it is (Postfix: `rfc822;dmarc+4711@example.org`):
 * xtext `+HH` belongs to the SMTP ORCPT parameter (RFC 3461 §4.2), never to a DSN field,
 * so `+47` stays `+47`. A `utf-8` address (RFC 6533 §3) is `utf-8-address`,
 * `utf-8-addr-unitext` or `utf-8-addr-xtext`; the latter two differ from the first only
 * by `\x{HHHH}` escapes (EmbeddedUnicodeChar, which also stands for `+`, `=`, `\` and
 * controls in the xtext form), so decoding those escapes reads all three.
 */
export function decodeAddressField(value: string): string {
	let rest = stripComments(value);
	// linear (issue 11): the blanks after ";" go with trim() below, not a second \s*
	const typed = /^([A-Za-z0-9-]+)\s*;(.*)$/.exec(rest);
	let type = "rfc822";
	if (typed) {
		type = (typed[1] ?? "").toLowerCase();
		rest = typed[2] ?? "";
	}
	if (type === "utf-8") rest = decodeUtf8AddrEscapes(rest);
	return stripAngles(rest.trim());
}

/** `<a@b>` -> `a@b`; also `"Name" <a@b>` and trailing junk after `>`. */
export function stripAngles(text: string): string {
	const inner = /<([^<>]*)>/.exec(text);
	const address = inner ? (inner[1] ?? "") : text;
	return address.trim().replace(/^mailto:/i, "");
}

/** RFC 6533 §3: embedded-unicode-char = "\x{" 1*6HEXDIG "}". */
export function decodeUtf8AddrEscapes(text: string): string {
	return text.replace(/\\x\{([0-9A-Fa-f]{1,6})\}/g, (whole, hex: string) => {
		const code = Number.parseInt(hex, 16);
		return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
	});
}
