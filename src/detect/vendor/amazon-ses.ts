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
	const list = /"bouncedRecipients"\s*:\s*\[(.*?)\]/s.exec(json)?.[1] ?? "";
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
	const mta = /"reportingMTA"\s*:\s*"(?:dsn;\s*)?([^"]+)"/.exec(json)?.[1];
	return {
		kind: "bounce",
		detector: "amazon-ses",
		recipients,
		reportingMta: mta,
	};
};
