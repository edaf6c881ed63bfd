import { ADDRESS, bounce, fromHost, recipient } from "../lib/blocks.ts";
import { BOL, blankRun } from "../lib/text.ts";
import type { Detector } from "../types.ts";

/**
 * Verizon Wireless' MMS gateway (MMSC), e.g.
 *   Message could not be delivered to mobile.
 *   Error: No valid recipients for this MM
 *   Original Message:
 *   To: 5550100@mms.example.net
 * The notice names the recipient only in its summary of the original.
 */
export const verizon: Detector = (message) => {
	if (!/^[ \t]*Message could not be delivered to mobile\./im.test(message.text))
		return undefined;
	const error = /^[ \t]*Error:[ \t]*(.*)$/im.exec(message.text)?.[1];
	const to = originalTo(message.text);
	if (to === undefined || error === undefined) return undefined;
	return bounce(
		"verizon",
		[recipient(to, error, { action: "failed", status: "5.0.0" })],
		fromHost(message),
	);
};

const HEADING = new RegExp(String.raw`${BOL}[ \t]*Original Message:`, "gi");
// `[ \t]*` then `[^<\n]*<` read a run of blanks once per split (quadratic): the blanks
// are part of `[^<\n]*`, so the two ways apart find the same address, the `<` first
const TO = new RegExp(`^[ \\t]*To:(?:[^<\\n]*<|[ \\t]*)(${ADDRESS})`, "i");
/** What `.` does not match: a line the old `(?:.*\n)*?` could not pass over. */
const TERMINATOR = /[\r\u2028\u2029]/;

/**
 * What the pattern
 *   ^[ \t]*Original Message:\s*\n(?:.*\n)*?[ \t]*To:[ \t]*(?:[^<\n]*<)?(ADDRESS)
 * (flags im) found, reading each line once (issue 11: a blank run after the heading gave
 * `\s*\n` many ends, each followed by a lazy scan of the lines after it): from the line
 * after the heading's blank run, the first line that starts with "To:" and an address,
 * passing only over lines that `.*\n` could (no CR, U+2028 or U+2029 in them, an LF
 * after). Blank lines of the run itself are never a "To:" line, and starting the scan on
 * one of them leads to the same lines, so the run's last LF is the only start that counts.
 * A later heading whose scan would start on a line already read would read the same
 * lines again, to the same end: skipped.
 */
function originalTo(text: string): string | undefined {
	let read = 0; // the line where the last scan stopped
	for (const heading of text.matchAll(HEADING)) {
		const run = blankRun(text, heading.index + heading[0].length);
		if (!run || run.start <= read) continue;
		let at = run.start;
		for (;;) {
			const end = text.indexOf("\n", at);
			const line = text.slice(at, end < 0 ? text.length : end);
			const to = TO.exec(line);
			if (to) return to[1];
			if (end < 0 || TERMINATOR.test(line)) break;
			at = end + 1;
		}
		read = at;
	}
	return undefined;
}
