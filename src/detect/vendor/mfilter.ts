import { addressLine, bounce, collapse, failed, lines } from "../lib/lines.ts";
import type { Detector } from "../types.ts";

// -------server message
const SERVER = /^-{3,}\s*server message\s*$/i;
// -------SMTP command / -------original message / -------original mail info
const SECTION = /^-{3,}\s*\S/;

/**
 * m-FILTER (Digital Arts) gateways: Japanese prose, the failed addresses one per line,
 * then `-------server message` with the SMTP reply and `-------SMTP command`.
 */
export const mFilter: Detector = (message) => {
	const all = lines(message.text);
	const at = all.findIndex((l) => SERVER.test(l));
	if (at < 0) return undefined;
	// The addresses: bare address lines before the first section marker
	const addresses = all
		.slice(0, at)
		.map((l) => addressLine(l))
		.filter((a): a is string => a !== undefined);
	const reply: string[] = [];
	for (const line of all.slice(at + 1)) {
		if (SECTION.test(line)) break;
		// 550 5.1.1 <user@example.org>: Recipient address rejected: User unknown
		if (line.trim() !== "") reply.push(line);
	}
	const diagnostic = collapse(reply.join(" "));
	return bounce(
		"mfilter",
		addresses.map((a) => failed(a, diagnostic)),
	);
};
