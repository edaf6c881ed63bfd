const DOMAIN_CHARS = /^[\p{L}\p{M}\p{N}.\u3002\uff0e\uff61-]+$/u;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A report domain or address domain as a lowercase A-label (requirements R13, R16),
 * or undefined when it is not a valid host name with at least two labels. The
 * result is safe as a file name: letters, digits, `-` and `.` only, never `.`/`..`.
 */
export function normalizeDomain(input: string): string | undefined {
	const trimmed = input.trim().replace(/\.$/, "");
	// WHATWG's domainToASCII deletes TAB/CR/LF, stops at "/" and "\\", and in some
	// runtimes percent-decodes: such input is not a host name and must not be
	// rewritten into one (R16). Only letters, marks, digits, "-" and dots (also the
	// ideographic and full-width dots that UTS #46 maps to ".") may go in.
	if (trimmed === "" || trimmed.length > 1024 || !DOMAIN_CHARS.test(trimmed))
		return undefined;
	// IDN: UTS #46 mapping to the lowercase A-label; "" means invalid (also bad Punycode)
	const ascii = domainToAscii(trimmed);
	if (ascii === "" || ascii.length > 253) return undefined;
	const labels = ascii.split(".");
	if (labels.length < 2 || !labels.every((l) => LABEL.test(l)))
		return undefined;
	// a numeric top-level label is an IP address, not a domain
	if (/^\d+$/.test(labels[labels.length - 1] ?? "")) return undefined;
	return ascii;
}

/**
 * WHATWG URL's host parser (domain to ASCII, UTS #46), as node:url's domainToASCII
 * runs it, through the global URL: no module to load at start-up. The input holds
 * only letters, marks, digits, "-" and dots, so it can only be read as the host.
 */
function domainToAscii(domain: string): string {
	try {
		return new URL(`http://${domain}/`).hostname;
	} catch {
		return "";
	}
}
