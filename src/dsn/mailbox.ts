import { normalizeDomain } from "../report/domain.ts";

// RFC 5322 §3.2.3 atext plus ".", and UTF-8 letters for SMTPUTF8 (RFC 6531 §3.3);
// no quoted local parts, white space, control characters, `<>`, `,`, `:`, `@` or `"`:
// nothing that could break a Postfix map line or a key (requirements R16, R19).
// `*` is legal atext but reads as a wildcard to people and to transport(5): refused.
const LOCAL = /^[\p{L}\p{N}!#$%&'+/=?^_`{|}~.-]{1,64}$/u;

/**
 * A full mailbox address fit for a map key: lowercased local part, lowercase A-label
 * domain. Undefined for anything else (bare domains, wildcards, `@domain`, quoted or
 * over-long local parts, address literals).
 */
export function normalizeMailbox(input: string): string | undefined {
	// NFC: a decomposed U-label or local part (combining marks) is the same address
	const text = input.trim().normalize("NFC");
	const at = text.lastIndexOf("@");
	if (at <= 0 || text.length > 320) return undefined;
	const local = text.slice(0, at);
	if (!LOCAL.test(local) || local.startsWith(".") || local.endsWith("."))
		return undefined;
	const domain = normalizeDomain(text.slice(at + 1));
	return domain === undefined ? undefined : `${local.toLowerCase()}@${domain}`;
}
