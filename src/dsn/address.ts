import { stripComments } from "./fields.ts";

/**
 * Decodes an address field `type; address` (RFC 3464 §2.3.1-2.3.2, requirements R10):
 * the type is case-insensitive and optional, white space after `;` is optional,
 * `utf-8` addresses carry `\x{HHHH}` escapes (RFC 6533 §3), an Original-Recipient
 * may carry xtext `+HH` (RFC 3461 §4.2), and angle brackets and comments go.
 * Returns the bare address text, not yet validated.
 */
export function decodeAddressField(
	value: string,
	options: { xtext?: boolean } = {},
): string {
	let rest = stripComments(value);
	// linear (issue 11): the blanks after ";" go with trim() below, not a second \s*
	const typed = /^([A-Za-z0-9-]+)\s*;(.*)$/.exec(rest);
	let type = "rfc822";
	if (typed) {
		type = (typed[1] ?? "").toLowerCase();
		rest = typed[2] ?? "";
	}
	if (type === "utf-8") rest = decodeUtf8AddrEscapes(rest);
	if (options.xtext) rest = decodeXtext(rest);
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

/** RFC 3461 §4: xtext "+" 2HEXDIG (upper-case hex), only for bytes that need it. */
export function decodeXtext(text: string): string {
	if (!/\+[0-9A-F]{2}/.test(text)) return text;
	const bytes: number[] = [];
	const encoder = new TextEncoder();
	for (let i = 0; i < text.length; i++) {
		const hex = text.slice(i + 1, i + 3);
		if (text[i] === "+" && /^[0-9A-F]{2}$/.test(hex)) {
			bytes.push(Number.parseInt(hex, 16));
			i += 2;
		} else bytes.push(...encoder.encode(text[i] ?? ""));
	}
	return new TextDecoder().decode(new Uint8Array(bytes));
}
