import {
	ADDRESS,
	before,
	bounce,
	collapse,
	fromHost,
	recipient,
	verdict,
} from "../lib/blocks.ts";
import type { Detector } from "../types.ts";

const REASONS = /^[ \t]*-{3,}[ \t]*Failure Reasons[ \t]*-{3,}/im;
const COPY = /^[ \t]*-{3,}[ \t]*Returned Message[ \t]*-{3,}/im;

/**
 * Lotus Notes SMTP MTA, e.g.
 *   ------- Failure Reasons  --------
 *   User not listed in public Name & Address Book
 *   user@example.org
 *   ------- Returned Message --------
 * Reason lines come first, then the addresses they apply to.
 */
export const notes: Detector = (message) => {
	const start = REASONS.exec(message.text);
	if (!start) return undefined;
	const section = before(
		message.text.slice(start.index + start[0].length),
		COPY,
	);
	const whole = new RegExp(`^[ \\t]*<?(${ADDRESS})>?[ \\t]*$`);
	const lines = section.split(/\r?\n/).map((l) => l.trim());
	const addresses = lines.filter((l) => whole.test(l));
	const reason = collapse(
		lines.filter((l) => l !== "" && !whole.test(l)).join(" "),
	);
	return bounce(
		"notes",
		addresses.map((a) => recipient(a, reason, verdict(reason))),
		fromHost(message),
	);
};
