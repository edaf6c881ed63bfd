import { statusFromText } from "../../dsn/status.ts";
import type { Detector, RecipientReport } from "../types.ts";
import { toAction } from "../types.ts";

/**
 * Amazon SES event notifications, mailed by SNS as JSON (raw, or as an escaped string
 * inside the SNS envelope's "Message"), e.g.
 *   {"notificationType":"Bounce","bounce":{"bounceType":"Permanent",...,
 *    "bouncedRecipients":[{"emailAddress":"a@example.org","action":"failed",
 *    "status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}]}}
 * Delivery and Complaint notifications are not failures.
 */
export const amazonSes: Detector = (message) => {
	if (!message.text.includes("notificationType")) return undefined;
	const json = message.text.replace(/\\"/g, '"').replace(/\r?\n /g, "");
	const type = /"notificationType"\s*:\s*"(\w+)"/.exec(json)?.[1];
	if (type === "Complaint")
		return {
			kind: "ignore",
			detector: "amazon-ses",
			reason: "feedback-report",
		};
	if (type === "Delivery")
		return { kind: "ignore", detector: "amazon-ses", reason: "success-dsn" };
	if (type !== "Bounce") return undefined;
	const list = bracketed(json, BOUNCED);
	const recipients: RecipientReport[] = [];
	for (const entry of list.match(/\{[^{}]*\}/g) ?? []) {
		const field = (name: string) =>
			new RegExp(`"${name}"\\s*:\\s*"([^"]*)"`).exec(entry)?.[1];
		const address = field("emailAddress");
		if (!address) continue;
		const diagnostic = field("diagnosticCode");
		recipients.push({
			address,
			original: undefined,
			action:
				field("action") === undefined ? "failed" : toAction(field("action")),
			status: field("status") ?? statusFromText(diagnostic) ?? "5.0.0",
			diagnostic,
			remoteMta: undefined,
		});
	}
	if (recipients.length === 0) return undefined;
	const reported = /"reportingMTA"\s*:\s*"([^"]+)"/.exec(json)?.[1];
	const mta = reported === undefined ? undefined : withoutDsn(reported);
	return {
		kind: "bounce",
		detector: "amazon-ses",
		recipients,
		reportingMta: mta,
	};
};

const BOUNCED = /"bouncedRecipients"\s*:\s*\[/;

/**
 * The text between `[` and the first `]` after the first match of `start`, as
 * `/start(.*?)\]/s` read it, in linear time (issue 11): when the first match has no `]`
 * after it, no later one has, so one indexOf answers for all of them.
 */
function bracketed(json: string, start: RegExp): string {
	const open = start.exec(json);
	if (!open) return "";
	const from = open.index + open[0].length;
	const close = json.indexOf("]", from);
	return close < 0 ? "" : json.slice(from, close);
}

/**
 * `dsn; mta.example` without its type, as `"(?:dsn;\s*)?([^"]+)"` captured (issue 11:
 * that pattern gave the blanks after `dsn;` two repetitions to split, a quadratic
 * retry before a missing quote): the rest after the blanks; the last blank when only
 * blanks follow; the whole value when nothing does.
 */
function withoutDsn(value: string): string {
	if (!value.startsWith("dsn;") || value.length === 4) return value;
	const rest = value.slice(4);
	const trimmed = rest.replace(/^\s+/, "");
	return trimmed === "" ? rest.slice(-1) : trimmed;
}
