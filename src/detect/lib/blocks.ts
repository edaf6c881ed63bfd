// Shared helpers for the group A text formats (qmail and its clones, Yahoo, legacy
// appliances): where the notice ends, `<address>:` blocks, and the per-recipient verdict.
import { stripAngles } from "../../dsn/address.ts";
import { asFailure, statusFromText } from "../../dsn/status.ts";
import { header, type Message } from "../../mail/message.ts";
import type { Action, Bounce, RecipientReport } from "../types.ts";
import { ADDRESS, bounce, collapse } from "./text.ts";

/** The text before the first line that `boundary` matches (the returned copy). */
export function before(text: string, boundary: RegExp): string {
	const match = boundary.exec(text);
	return match ? text.slice(0, match.index) : text;
}

export interface Block {
	readonly address: string;
	readonly text: string;
}

/**
 * qmail's per-recipient paragraphs (qmail-send.c): a line `<user@example.org>:`,
 * then what the delivery agent said, up to the next such line.
 */
export function angleBlocks(notice: string): Block[] {
	const blocks: Block[] = [];
	const head = /^[ \t]*<(?=[^<>\s]+@[^<>\s])([^<>\s]+)>:?[ \t]*(.*)$/gm;
	const heads = [...notice.matchAll(head)];
	heads.forEach((m, i) => {
		const end = heads[i + 1]?.index ?? notice.length;
		const rest = notice.slice((m.index ?? 0) + m[0].length, end);
		blocks.push({
			address: m[1] ?? "",
			text: `${m[2] ?? ""}\n${rest}`.trim(),
		});
	});
	return blocks;
}

// The queue lifetime ran out: qmail-send.c "I'm not going to try again; this message
// has been in the queue too long.", Exim/GMX "retry timeout exceeded", IMail "Delivery
// failed 20 attempts", appliances "aborted after 5 hour(s)".
const EXPIRED =
	/in the queue too long|retry time ?out exceeded|delivery failed \d+ attempts|aborted after [\d.]+ (?:hour|minute|day|second)/i;

export function expired(text: string | undefined): boolean {
	return text !== undefined && EXPIRED.test(text);
}

/**
 * Action and status for one recipient of a notice that says delivery failed.
 * The status comes from the reply text (requirements R12): `550 5.1.1`, `(#5.1.1)`,
 * `550 User unknown` -> 5.0.0. With no code, an expired message is RFC 3463 X.4.7
 * "delivery time expired", anything else `fallback` (5.0.0: the notice is final).
 * A 4.x.x that outlasted the queue is a refusal that persisted when it is about the
 * mailbox (X.2.x) or policy (X.7.x); X.4.x (network, routing) stays "failed" so that
 * decide() holds it as expired-unreachable; any other transient condition (system
 * resources, X.0.0 "try again later") is not proof that the address is dead (R18).
 */
export function verdict(
	diagnostic: string | undefined,
	fallback = "5.0.0",
): { action: Action; status: string } {
	const status = asFailure(
		statusFromText(diagnostic),
		expired(diagnostic) ? "4.4.7" : fallback,
	);
	if (status.startsWith("5")) return { action: "failed", status };
	const subject = status.split(".")[1];
	const lasting = subject === "2" || subject === "4" || subject === "7";
	return { action: lasting ? "failed" : "delayed", status };
}

export function recipient(
	address: string,
	diagnostic: string | undefined,
	judged: { action: Action; status: string | undefined },
): RecipientReport {
	return {
		address: stripAngles(address),
		original: undefined,
		action: judged.action,
		status: judged.status,
		diagnostic: collapse(diagnostic),
		remoteMta: undefined,
	};
}

export { ADDRESS, bounce, collapse };

/** The mail host in `From: MAILER-DAEMON@host`, for operators. */
export function fromHost(message: Message): string | undefined {
	const from = header(message, "from") ?? "";
	return /@([A-Za-z0-9.-]+)/.exec(from)?.[1];
}

// Lines where the returned copy starts in qmail-send.c and its clones
const QMAIL_COPY =
	/^[ \t]*-{2,3} ?(?:Below this line is a copy of the (?:message|mail header)|Below the next line is a copy of the message|Enclosed is a copy of the message|Original message follows|Mensaje original adjunto)/im;

// A notice that says it will keep trying is a warning, not a failure
const STILL_TRYING =
	/not (?:yet )?a permanent error|will (?:keep|continue) (?:on )?trying|I'm still trying|warning message only|temporary (?:error|failure)/i;

/**
 * The qmail-send layout, shared by its clones and Yahoo: a preamble that `start`
 * matches, one `<user@example.org>:` paragraph per recipient, then the returned copy.
 */
export function qmailLayout(
	message: Message,
	detector: string,
	start: RegExp,
): Bounce | undefined {
	const opening = start.exec(message.text);
	if (!opening) return undefined;
	const notice = before(message.text.slice(opening.index), QMAIL_COPY);
	const blocks = angleBlocks(notice);
	if (blocks.length === 0) return undefined;
	const preamble = notice.slice(0, notice.indexOf(`<${blocks[0]?.address}>`));
	const warning = STILL_TRYING.test(preamble);
	const recipients = blocks.map((b) => {
		const judged = verdict(b.text);
		return recipient(
			b.address,
			b.text,
			warning ? { action: "delayed", status: judged.status } : judged,
		);
	});
	return bounce(detector, recipients, fromHost(message));
}
