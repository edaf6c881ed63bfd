import {
	ADDRESS,
	bounce,
	fromHost,
	recipient,
	verdict,
} from "../lib/blocks.ts";
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
	const m = new RegExp(
		`^[ \\t]*Error message below:\\s*\\n([\\s\\S]*?)\\n[ \\t]*Message details:\\s*\\n[\\s\\S]*?^[ \\t]*RCPT TO:[ \\t]*<?(${ADDRESS.source})>?`,
		"im",
	).exec(message.text);
	if (!m) return undefined;
	const error = /^[ \t]*Error:[ \t]*(.*)$/im.exec(message.text)?.[1];
	const diagnostic = [error, m[1]?.trim()].filter(Boolean).join(": ");
	// "550 - Requested action not taken" : the reply code with a dash after a space
	const judged = verdict(diagnostic.replace(/\b([245]\d\d) - /, "$1 "));
	return bounce(
		"apache-james",
		[recipient(m[2] ?? "", diagnostic, judged)],
		fromHost(message),
	);
};
