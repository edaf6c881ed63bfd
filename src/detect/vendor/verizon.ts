import { ADDRESS, bounce, fromHost, recipient } from "../lib/blocks.ts";
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
	const to = new RegExp(
		`^[ \\t]*Original Message:\\s*\\n(?:.*\\n)*?[ \\t]*To:[ \\t]*(?:[^<\\n]*<)?(${ADDRESS.source})`,
		"im",
	).exec(message.text)?.[1];
	if (to === undefined || error === undefined) return undefined;
	return bounce(
		"verizon",
		[recipient(to, error, { action: "failed", status: "5.0.0" })],
		fromHost(message),
	);
};
