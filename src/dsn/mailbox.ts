import { domainToUnicode } from "node:url";
import { normalizeDomain } from "../report/domain.ts";

// RFC 5322 §3.2.3 atext plus ".", and UTF-8 letters, marks and digits for SMTPUTF8
// (RFC 6531 §3.3: a Devanagari or İ-lowercased local part carries combining marks);
// no white space, control characters, `<>`, `,`, `:`, `@`, `"` or `\`: nothing that
// could break a Postfix map line or a key (requirements R16, R19). `*` is legal
// atext but reads as a wildcard to people and to transport(5): refused.
const LOCAL = /^[\p{L}\p{M}\p{N}!#$%&'+/=?^_`{|}~.-]{1,64}$/u;

// RFC 5321 §4.1.2 Dot-string: atoms joined by single dots
const DOT_STRING = /^[^.]+(?:\.[^.]+)*$/;

/**
 * The one normalisation of an address, used by ingest, table and `--release` (issue 12).
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

/**
 * Why a normalised address cannot be a key of an indexed Postfix map without matching
 * another address, or null when it can. Held, never mapped (issue 12):
 * - `case-folding`: postmap and Postfix's lookups fold keys with full Unicode case
 *   folding (casefold(3), smtputf8_enable = yes), which turns `ß` into `ss`, `ﬁ` into
 *   `fi`, `ſ` into `s`: the key would silence `strasse@`, `finance@`, `support@` too
 *   (Unicode CaseFolding.txt, full folding: status C and F).
 * - `map-comment`: a key starting with `#` is a comment in a postmap source file.
 */
export function keyHold(address: string): string | null {
	const local = address.slice(0, address.lastIndexOf("@"));
	if (local.startsWith("#")) return "map-comment";
	return foldsToOther(local) ? "case-folding" : null;
}

/**
 * Whether full case folding (what postmap applies) turns lowercase text into other text.
 * Final sigma folds to σ (CaseFolding.txt 03C2, status C) while lowercase keeps it; the
 * dotless ı round-trips to `i` but does not fold (its folding is Turkic only, status T).
 */
function foldsToOther(lower: string): boolean {
	const text = lower.replaceAll("ı", "");
	return text.toUpperCase().toLowerCase() !== text || text.includes("ς");
}

/**
 * The keys a map needs for one normalised address: the address itself and, when its
 * domain has A-labels (`xn--`), the same address with U-labels, since Postfix looks up
 * the domain as the report was addressed (RFC 6531 §3.2: SMTPUTF8 mail keeps U-labels).
 */
export function mapKeys(address: string): string[] {
	const at = address.lastIndexOf("@");
	const domain = address.slice(at + 1);
	if (!/(^|\.)xn--/.test(domain)) return [address];
	const unicode = domainToUnicode(domain).normalize("NFC").toLowerCase();
	// a U-label that postmap would fold into another domain (`straße` -> `strasse`) is left out
	if (
		unicode === "" ||
		unicode === domain ||
		/[\s"]/.test(unicode) ||
		foldsToOther(unicode)
	)
		return [address];
	return [address, `${address.slice(0, at)}@${unicode}`];
}
