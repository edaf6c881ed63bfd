import { normalizeDomain } from "../report/domain.ts";

// RFC 5322 §3.2.3 atext plus ".", and UTF-8 letters for SMTPUTF8 (RFC 6531 §3.3);
// no white space, control characters, `<>`, `,`, `:`, `@`, `"` or `\`: nothing that
// could break a Postfix map line or a key (requirements R16, R19). `*` is legal
// atext but reads as a wildcard to people and to transport(5): refused.
const LOCAL = /^[\p{L}\p{N}!#$%&'+/=?^_`{|}~.-]{1,64}$/u;

// RFC 5321 §4.1.2 Dot-string: atoms joined by single dots
const DOT_STRING = /^[^.]+(?:\.[^.]+)*$/;

/**
 * A full mailbox address fit for a map key: lowercased local part, lowercase A-label
 * domain. Undefined for anything else (bare domains, wildcards, `@domain`, over-long
 * local parts, address literals, quoted local parts with anything but atext in them).
 *
 * A local part that is not a Dot-string (`a..b`, `a.`) is valid only quoted
 * (RFC 5321 §4.1.2 Quoted-string); mobile carriers hand such addresses out. It is
 * accepted quoted (`"a..b"@example.jp`, the external form) or bare (`a..b@example.jp`,
 * the internal form Postfix writes in Original-Recipient) and always returned quoted,
 * the form on the wire: Postfix (3.7.11, tried) finds `"a..b"@example.jp` in transport
 * and access maps for mail to that recipient.
 */
export function normalizeMailbox(input: string): string | undefined {
	// NFC: a decomposed U-label or local part (combining marks) is the same address
	const text = input.trim().normalize("NFC");
	const at = text.lastIndexOf("@");
	if (at <= 0 || text.length > 320) return undefined;
	const local = unquote(text.slice(0, at));
	if (local === undefined || !LOCAL.test(local)) return undefined;
	const domain = normalizeDomain(text.slice(at + 1));
	if (domain === undefined) return undefined;
	const lower = local.toLowerCase();
	return DOT_STRING.test(lower) ? `${lower}@${domain}` : `"${lower}"@${domain}`;
}

/** `"a..b"` -> `a..b` (RFC 5321 §4.1.2 quoted-pairSMTP `\x` too); bare text as it is. */
function unquote(local: string): string | undefined {
	if (!local.startsWith('"')) return local;
	if (local.length < 2 || !local.endsWith('"')) return undefined;
	return local.slice(1, -1).replace(/\\([\x20-\x7e])/g, "$1");
}
