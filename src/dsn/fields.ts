/** One group of `Name: value` fields; names lowercased, values unfolded. */
export type FieldGroup = ReadonlyMap<string, string>;

export interface DeliveryStatus {
	/** Per-message fields (RFC 3464 §2.2): Reporting-MTA, Arrival-Date, X-Postfix-Sender, ... */
	readonly message: FieldGroup;
	/** One group per recipient (RFC 3464 §2.3). */
	readonly recipients: readonly FieldGroup[];
}

// linear (issue 11): the name cannot contain ":" or blanks, so nothing backtracks
const FIELD = /^([!-9;-~]+)[ \t]*:(.*)$/;
/**
 * Bounds on one field (issue 11): a value keeps its first MAX_VALUE characters per
 * line and its first MAX_FOLDED_LINES continuation lines; every stored field is capped
 * shorter still (src/decide.ts), so nothing that matters is lost.
 */
const MAX_VALUE = 10_000;
const MAX_FOLDED_LINES = 1000;
const RECIPIENT_KEYS = new Set(["final-recipient", "original-recipient"]);

/**
 * Parses the body of message/delivery-status or message/global-delivery-status.
 * RFC 3464 §2.1: per-message fields, then one blank-line-separated group per
 * recipient. Tolerated (requirements R8): CRLF/LF mixes, extra blank lines, folded
 * lines, any case in names, a missing per-message group, and recipient groups that
 * run together without a blank line (a repeated Final-/Original-Recipient starts one).
 */
export function parseDeliveryStatus(text: string): DeliveryStatus {
	const message = new Map<string, string>();
	const recipients: Map<string, string>[] = [];
	let group = new Map<string, string>();
	let last: string | undefined;
	// continuation lines are collected and joined once (linear: issue 11)
	let folded: string[] = [];

	const unfoldLast = () => {
		if (last !== undefined && folded.length > 0)
			group.set(last, [group.get(last) ?? "", ...folded].join(" ").trim());
		folded = [];
	};
	const close = () => {
		unfoldLast();
		if (group.size === 0) return;
		if (isRecipientGroup(group)) recipients.push(group);
		else for (const [k, v] of group) if (!message.has(k)) message.set(k, v);
		group = new Map();
	};

	for (const line of text.split(/\r?\n|\r/)) {
		if (line.trim() === "") {
			close();
			last = undefined;
			continue;
		}
		// RFC 5322 §2.2.3: a line starting with white space continues the field
		if ((line.startsWith(" ") || line.startsWith("\t")) && last !== undefined) {
			if (folded.length < MAX_FOLDED_LINES)
				folded.push(line.slice(0, MAX_VALUE).trim());
			continue;
		}
		const match = FIELD.exec(line);
		if (!match) continue;
		unfoldLast();
		const name = (match[1] ?? "").toLowerCase();
		const value = (match[2] ?? "").slice(0, MAX_VALUE).trim();
		if (RECIPIENT_KEYS.has(name) && group.has(name) && isRecipientGroup(group))
			close();
		if (!group.has(name)) group.set(name, value);
		last = group.get(name) === value ? name : undefined;
	}
	close();
	return { message, recipients };
}

function isRecipientGroup(group: ReadonlyMap<string, string>): boolean {
	return group.has("final-recipient") || group.has("original-recipient");
}

/** Removes RFC 5322 comments `( ... )`, nested ones too, outside quoted strings. */
export function stripComments(value: string): string {
	let out = "";
	let depth = 0;
	let quoted = false;
	for (let i = 0; i < value.length; i++) {
		const c = value[i];
		if (c === "\\" && i + 1 < value.length) {
			if (depth === 0) out += c + value[i + 1];
			i++;
		} else if (c === '"' && depth === 0) {
			quoted = !quoted;
			out += c;
		} else if (c === "(" && !quoted) depth++;
		else if (c === ")" && !quoted && depth > 0) depth--;
		else if (depth === 0) out += c;
	}
	return out.replace(/\s+/g, " ").trim();
}
