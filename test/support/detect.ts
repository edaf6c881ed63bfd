// Shared helpers for the detector tests: messages from fixtures or from lines, and a
// detection reduced to the rows the tests compare.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Detection } from "../../src/detect/types.ts";
import { type Message, parseMessage } from "../../src/mail/message.ts";

/** A message from test/fixtures. */
export const fixture = (name: string): Promise<Message> =>
	parseMessage(readFileSync(join(import.meta.dirname, "..", "fixtures", name)));

/** A message from its lines (LF line ends, as Postfix pipes it). */
export const mail = (lines: readonly string[]): Promise<Message> =>
	parseMessage(lines.join("\n"));

/**
 * Ordinary mail that quotes bounce-like lines (an address with a 550, a Final-Recipient
 * field): no standard or vendor detector may take it for a notice.
 */
export const ordinaryMail = (): Promise<Message> =>
	mail([
		"From: Jane <jane@example.com>",
		"Subject: Re: report",
		"",
		"rua@example.net: 550 5.1.1 User unknown",
		"Final-Recipient: rfc822; rua@example.net",
	]);

/** `[address, action, status]` per recipient of a bounce, else the detection's kind. */
export const rows = (found: Detection | undefined) =>
	found?.kind === "bounce"
		? found.recipients.map((r) => [r.address, r.action, r.status])
		: found?.kind;
