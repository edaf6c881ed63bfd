import { normalizeDomain } from "./domain.ts";

/**
 * RFC 7489 §7.2.1.1 and RFC 9990 §3.5.2: `Report Domain: D Submitter: S Report-ID: ID`.
 * Tolerates every form of requirements R13 once unfolded and RFC 2047-decoded: any
 * case (Google's "Report domain:"), any prefix ("[SPAM?]", "Fwd:"), no space after
 * the colon, a missing Submitter or Report-ID, U-labels and upper case. RFC 8460 §5.3
 * TLS-RPT subjects share the grammar.
 */
// Linear (issue 11): the domain stops at ":" too, so a run of "reportdomain:" costs each
// start a few characters, not the rest of the text (a lazy capture made it quadratic).
const REPORT_DOMAIN =
	/report[ \t]*-?domain[ \t]*:[ \t]*<?([^\s<>;,:]+)>?(?=[\s;,]|$)/i;

export function reportDomainFromSubject(subject: string): string | undefined {
	const match = REPORT_DOMAIN.exec(subject.replace(/\s+/g, " "));
	return match ? normalizeDomain(match[1] ?? "") : undefined;
}
