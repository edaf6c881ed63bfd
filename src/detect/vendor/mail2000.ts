import {
	ADDRESS,
	before,
	bounce,
	fromHost,
	recipient,
	verdict,
} from "../lib/blocks.ts";
import { BOL } from "../lib/text.ts";
import type { Detector } from "../types.ts";

const START =
	/^[ \t]*-{3,}[ \t]*The following addresses had delivery errors[ \t]*-{3,}/im;

/**
 * Mail2000 ESMTP Server and similar appliances: one line per recipient with the
 * reason in brackets, e.g.
 *   ---The following addresses had delivery errors---
 *   user@example.org [User unknown]
 */
export const mail2000: Detector = (message) => {
	const start = START.exec(message.text);
	if (!start) return undefined;
	const list = before(
		message.text.slice(start.index + start[0].length).replace(/^\r?\n/, ""),
		/^[ \t]*-{3,}/m,
	);
	// linear (issue 11): anchored as a lookaround, and the bracket ends on its own line
	// (`^` also starts after a lone CR, and `[^\]\n]*` ran over CRs to the next LF)
	const line = new RegExp(
		`${BOL}[ \\t]*<?(${ADDRESS})>?[ \\t]+\\[([^\\]\\n\\r\\u2028\\u2029]*)\\]`,
		"g",
	);
	const recipients = [...list.matchAll(line)].map((m) =>
		recipient(m[1] ?? "", m[2], verdict(m[2])),
	);
	return bounce("mail2000", recipients, fromHost(message));
};
