import { header, type Message } from "../../mail/message.ts";
import type { Detector } from "../types.ts";

// Vacation and out-of-office subjects in the languages seen at report addresses
const AUTO_REPLY_SUBJECT =
	/^(?:auto(?:matic)?[ -]?(?:reply|response|antwort)|out of (?:the )?office|abwesenheit|absence|vacation|r[ée]ponse automatique|risposta automatica|respuesta autom[áa]tica)\b|\b(?:autoreply|auto-reply)\b/i;

/**
 * RFC 3834 §5 auto-replies and vacation notices. Runs after the bounce formats: MTAs
 * mark their own bounces `Auto-Submitted: auto-replied` too (Postfix, Exim).
 */
export const autoReply: Detector = (message) => {
	if (!isAutoReply(message)) return undefined;
	return { kind: "ignore", detector: "auto-reply", reason: "auto-reply" };
};

function isAutoReply(message: Message): boolean {
	const submitted = header(message, "auto-submitted")?.toLowerCase() ?? "no";
	if (submitted.startsWith("auto-replied") && !fromMailerDaemon(message))
		return true;
	if (
		header(message, "x-autoreply") !== undefined ||
		header(message, "x-autorespond") !== undefined
	)
		return true;
	const precedence = header(message, "precedence")?.toLowerCase();
	if (precedence === "auto_reply") return true;
	return AUTO_REPLY_SUBJECT.test(message.subject);
}

function fromMailerDaemon(message: Message): boolean {
	const from = header(message, "from")?.toLowerCase() ?? "";
	return /mailer-daemon|postmaster|mail delivery/.test(from);
}
