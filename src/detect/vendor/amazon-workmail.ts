import { decodeAddressField } from "../../dsn/address.ts";
import { parseDeliveryStatus } from "../../dsn/fields.ts";
import { parseStatus, statusFromText } from "../../dsn/status.ts";
import { header } from "../../mail/message.ts";
import { bounce, delayed, failed } from "../lib/lines.ts";
import type { Detector, RecipientReport } from "../types.ts";

// An error occurred while trying to deliver the mail to the following recipients:
// ...
// Technical report:
const REPORT = /^[^\S\r\n\u2028\u2029]*Technical report:\s*$/im;

/**
 * Amazon WorkMail: a text/plain notice that quotes RFC 3464 fields inline after
 * "Technical report:" instead of sending a message/delivery-status part.
 */
export const amazonWorkMail: Detector = (message) => {
	const mailer = header(message, "x-mailer") ?? "";
	if (
		!/Amazon WorkMail/i.test(mailer) &&
		!/error occurred while trying to deliver the mail to the following recip/i.test(
			message.text,
		)
	)
		return undefined;
	const start = REPORT.exec(message.text);
	if (!start) return undefined;
	const fields = parseDeliveryStatus(
		message.text.slice(start.index + start[0].length),
	);
	const recipients: RecipientReport[] = [];
	for (const group of fields.recipients) {
		const address = decodeAddressField(
			group.get("final-recipient") ?? group.get("original-recipient") ?? "",
		);
		if (address === "") continue;
		// Diagnostic-Code: smtp; 550 5.1.1 <user@example.org>... User Unknown
		const diagnostic = group.get("diagnostic-code")?.replace(/^[\w-]+;\s*/, "");
		const status =
			parseStatus(group.get("status")) ?? statusFromText(diagnostic);
		const action = (group.get("action") ?? "").toLowerCase();
		if (action.startsWith("delayed"))
			recipients.push(delayed(address, diagnostic));
		else if (action.startsWith("failed"))
			recipients.push(failed(address, diagnostic, status ? { status } : {}));
	}
	const mta = fields.message.get("reporting-mta")?.replace(/^[\w-]+;\s*/, "");
	return bounce("amazon-workmail", recipients, mta);
};
