import { normalizeMailbox } from "./dsn/mailbox.ts";

/**
 * The recipient a VERP sender names (requirements R15): Postfix passes the address
 * extension `local=domain` of `sender+local=domain@...` as ${extension}. Split on the
 * LAST "=" since local parts may hold "=" themselves (`re=port=error.test`).
 * Undefined when empty or not a valid mailbox.
 */
export function verpRecipient(extension: string): string | undefined {
	const at = extension.lastIndexOf("=");
	if (at <= 0) return undefined;
	return normalizeMailbox(
		`${extension.slice(0, at)}@${extension.slice(at + 1)}`,
	);
}
