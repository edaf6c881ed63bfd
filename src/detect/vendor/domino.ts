import {
	ADDRESS,
	bounce,
	fromHost,
	recipient,
	verdict,
} from "../lib/blocks.ts";
import type { Detector } from "../types.ts";

/**
 * HCL/IBM Domino's text notice when it sends no message/delivery-status, e.g.
 *   Your message
 *     Subject: Report
 *   was not delivered to:
 *     user@example.org
 *   because:
 *     User user (user@example.org) not listed in Domino Directory
 * Domino's delay notices ("DELIVERY DELAYED") never say "was not delivered to".
 */
export const domino: Detector = (message) => {
	if (/delay/i.test(message.subject)) return undefined;
	const m = new RegExp(
		`^[ \\t]*was not delivered to:[ \\t]*\\n((?:[ \\t\\n]*<?${ADDRESS}>?[ \\t]*\\n)+)\\s*because:\\s*\\n([\\s\\S]*?)(?:\\n[ \\t]*\\n|$)`,
		"im",
	).exec(message.text);
	if (!m) return undefined;
	const reason = m[2]?.trim();
	const addresses = (m[1] ?? "")
		.split(/\n/)
		.map((l) => l.trim())
		.filter((l) => l !== "");
	return bounce(
		"domino",
		addresses.map((a) => recipient(a, reason, verdict(reason))),
		fromHost(message),
	);
};
