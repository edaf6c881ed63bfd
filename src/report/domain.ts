import { domainToASCII } from "node:url";

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A report domain or address domain as a lowercase A-label (requirements R13, R16),
 * or undefined when it is not a valid host name with at least two labels. The
 * result is safe as a file name: letters, digits, `-` and `.` only, never `.`/`..`.
 */
export function normalizeDomain(input: string): string | undefined {
	const trimmed = input.trim().replace(/\.$/, "");
	if (trimmed === "" || trimmed.length > 1024) return undefined;
	// IDN: UTS #46 mapping to the A-label form; "" means invalid
	const ascii = /^[\x21-\x7e]*$/.test(trimmed)
		? trimmed.toLowerCase()
		: domainToASCII(trimmed);
	if (ascii === "" || ascii.length > 253) return undefined;
	const labels = ascii.split(".");
	if (labels.length < 2 || !labels.every((l) => LABEL.test(l)))
		return undefined;
	// a numeric top-level label is an IP address, not a domain
	if (/^\d+$/.test(labels[labels.length - 1] ?? "")) return undefined;
	return ascii;
}
