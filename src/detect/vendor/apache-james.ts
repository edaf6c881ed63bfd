import {
	ADDRESS,
	bounce,
	fromHost,
	recipient,
	verdict,
} from "../lib/blocks.ts";
import { BOL, blankRun } from "../lib/text.ts";
import type { Detector } from "../types.ts";

/**
 * Apache James (also behind some carriers' SMS gateways), e.g.
 *   Error: Invalid user address
 *   Error message below:
 *   550 - Requested action not taken: no such user here
 *   Message details:
 *     Subject: Report
 *     RCPT TO: user@example.org
 * The address is the envelope recipient the notice lists under "Message details".
 */
export const apacheJames: Detector = (message) => {
	const m = details(message.text);
	if (!m) return undefined;
	const error = /^[ \t]*Error:[ \t]*(.*)$/im.exec(message.text)?.[1];
	const diagnostic = [error, m.below.trim()].filter(Boolean).join(": ");
	// "550 - Requested action not taken" : the reply code with a dash after a space
	const judged = verdict(diagnostic.replace(/\b([245]\d\d) - /, "$1 "));
	return bounce(
		"apache-james",
		[recipient(m.address, diagnostic, judged)],
		fromHost(message),
	);
};

const BELOW = new RegExp(String.raw`${BOL}[ \t]*Error message below:`, "gi");
const DETAILS = /\n[ \t]*Message details:/gi;
const RCPT = new RegExp(`${BOL}[ \\t]*RCPT TO:[ \\t]*<?(${ADDRESS})>?`, "gi");

/**
 * What the pattern
 *   ^[ \t]*Error message below:\s*\n([\s\S]*?)\n[ \t]*Message details:\s*\n[\s\S]*?^[ \t]*RCPT TO:[ \t]*<?(ADDRESS)>?
 * (flags im) read, with each part searched for once, forward (issue 11: a blank run after
 * a heading gave `\s*\n` many ends, each followed by a lazy scan to the end of the text):
 * the text between the first heading (followed by a line end) and the first "Message
 * details:" line after it, and the address of the first RCPT TO line after that. A later
 * heading could only find a later "Message details:" and RCPT TO, so the first decides.
 */
function details(text: string): { below: string; address: string } | undefined {
	for (const heading of text.matchAll(BELOW)) {
		const run = blankRun(text, heading.index + heading[0].length);
		if (!run) continue;
		DETAILS.lastIndex = run.first + 1; // its `\n` comes after the capture starts
		for (;;) {
			const d = DETAILS.exec(text);
			if (!d) return undefined;
			const after = blankRun(text, d.index + d[0].length);
			if (!after) continue; // `\s*\n` after it fails: the lazy capture goes on
			RCPT.lastIndex = after.first + 1;
			const r = RCPT.exec(text);
			if (!r) return undefined;
			// the capture holds no more than white space when the details line follows
			// the heading's blank run directly
			const below = d.index >= run.start ? text.slice(run.start, d.index) : "";
			return { below, address: r[1] ?? "" };
		}
	}
	return undefined;
}
