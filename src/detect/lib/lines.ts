// Shared helpers for the vendor text formats of group B (formats-b.ts).

import { statusFromText } from "../../dsn/status.ts";
import type { Message } from "../../mail/message.ts";
import type { Action, RecipientReport } from "../types.ts";
import { ADDRESS, bounce, collapse } from "./text.ts";

/** One mailbox as vendors print it: bare, or in angle brackets. */
const MAILBOX = `<?(${ADDRESS})>?`;

/**
 * The first mailbox of a text. Linear (issue 11): a search starts the local part only
 * where a run of its characters starts; a start inside the run reaches the same "@"
 * (the run cannot hold one), so it never matched where the run's start failed.
 */
const FIRST_MAILBOX = new RegExp(`<?(?<![^\\s<>()[\\]"',;:@])(${ADDRESS})>?`);

/** A line that holds one address and nothing else (`<a@b>`, `a@b`). */
const ADDRESS_LINE = new RegExp(`^\\s*${MAILBOX}\\s*$`);

/** The address of a line that holds only an address, else undefined. */
export function addressLine(line: string): string | undefined {
	return ADDRESS_LINE.exec(line)?.[1];
}

/** The first mailbox in `text`, without angle brackets. */
export function firstAddress(text: string): string | undefined {
	return FIRST_MAILBOX.exec(text)?.[1];
}

/** The notice's lines, with CRLF and CR normalised. */
export function lines(text: string): string[] {
	return text.split(/\r?\n|\r/);
}

/**
 * Status when a format prints no reply code: recognisable wording only (RFC 3463
 * §3.2 mailbox status, §3.3 mail system full), else "other undefined status".
 */
const WORDING: readonly (readonly [RegExp, string])[] = [
	[
		/mailbox (?:is )?full|over ?quota|quota exceeded|exceeded the (?:local )?limit|mailbox .{0,20}exceeded/i,
		"5.2.2",
	],
	[
		/user unknown|unknown (?:user|recipient)|no such (?:user|mailbox)|recipient (?:name is )?not (?:found|recognized)|not listed in|account is disabled|does not exist/i,
		"5.1.1",
	],
];

/** RFC 3463 status of a permanent failure: the reply text's code, else the wording. */
export function failureStatus(diagnostic: string | undefined): string {
	const coded = statusFromText(diagnostic);
	if (coded !== undefined) return coded;
	for (const [pattern, status] of WORDING)
		if (diagnostic !== undefined && pattern.test(diagnostic)) return status;
	return "5.0.0";
}

/** A recipient that the notice says failed permanently. */
export function failed(
	address: string,
	diagnostic: string | undefined,
	options: { status?: string; remoteMta?: string } = {},
): RecipientReport {
	const text = collapse(diagnostic);
	return report(
		address,
		"failed",
		options.status ?? failureStatus(text),
		text,
		options.remoteMta,
	);
}

/** A recipient the notice says is still being retried (a delay warning). */
export function delayed(
	address: string,
	diagnostic: string | undefined,
): RecipientReport {
	const text = collapse(diagnostic);
	const status = statusFromText(text);
	return report(
		address,
		"delayed",
		status?.startsWith("4") ? status : "4.0.0",
		text,
		undefined,
	);
}

function report(
	address: string,
	action: Action,
	status: string,
	diagnostic: string | undefined,
	remoteMta: string | undefined,
): RecipientReport {
	return {
		address,
		original: undefined,
		action,
		status,
		diagnostic,
		remoteMta,
	};
}

export { bounce, collapse };

/** The From header's address part, lowercased ("" when absent). */
export function fromHeader(message: Message): string {
	return (
		message.headers.find((h) => h.name === "from")?.value.toLowerCase() ?? ""
	);
}
