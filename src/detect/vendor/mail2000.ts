import {
	ADDRESS,
	before,
	bounce,
	fromHost,
	recipient,
	verdict,
} from "../lib/blocks.ts";
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
	const line = new RegExp(
		`^[ \\t]*<?(${ADDRESS.source})>?[ \\t]+\\[([^\\]\\n]*)\\]`,
		"gm",
	);
	const recipients = [...list.matchAll(line)].map((m) =>
		recipient(m[1] ?? "", m[2], verdict(m[2])),
	);
	return bounce("mail2000", recipients, fromHost(message));
};
