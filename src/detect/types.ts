import type { Message } from "../mail/message.ts";

/** RFC 3464 §2.3.3 action values, plus "unknown" for anything else. */
export type Action =
	| "failed"
	| "delayed"
	| "delivered"
	| "relayed"
	| "expanded"
	| "unknown";

/** What a bounce says about one recipient, before validation. */
export interface RecipientReport {
	/** Final-Recipient (or the only address the format gives). */
	readonly address: string;
	/** Original-Recipient: the address we sent to, when the format gives it. */
	readonly original: string | undefined;
	readonly action: Action;
	readonly status: string | undefined;
	readonly diagnostic: string | undefined;
	readonly remoteMta: string | undefined;
}

/** A detector's confident reading of a delivery report. */
export interface Bounce {
	readonly kind: "bounce";
	readonly detector: string;
	readonly recipients: readonly RecipientReport[];
	readonly reportingMta: string | undefined;
}

/** A message that is recognised and is not a delivery failure (auto-reply, ARF, ...). */
export interface NotABounce {
	readonly kind: "ignore";
	readonly detector: string;
	readonly reason: string;
}

export type Detection = Bounce | NotABounce;

/** Returns undefined for "not mine", cheaply; never throws on odd input. */
export type Detector = (message: Message) => Detection | undefined;

const ACTIONS: ReadonlySet<string> = new Set([
	"failed",
	"delayed",
	"delivered",
	"relayed",
	"expanded",
]);

export function toAction(value: string | undefined): Action {
	const word = (value ?? "").toLowerCase().match(/[a-z]+/)?.[0] ?? "";
	return ACTIONS.has(word) ? (word as Action) : "unknown";
}
