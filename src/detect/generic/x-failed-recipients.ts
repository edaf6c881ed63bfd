import { stripAngles } from "../../dsn/address.ts";
import { asFailure, statusFromText } from "../../dsn/status.ts";
import { header } from "../../mail/message.ts";
import { noticeText, textAfter } from "../lib/text.ts";
import type { Detector, RecipientReport } from "../types.ts";

/**
 * Bounces that name the failed addresses in an `X-Failed-Recipients` header and have
 * no RFC 3464 part: Exim's text bounces and Google Groups' notices, e.g.
 *   X-Failed-Recipients: rua@groups.example.org
 * Exim sets the header only for permanent failures, never for delay warnings.
 */
export const xFailedRecipients: Detector = (message) => {
	const value = header(message, "x-failed-recipients");
	if (value === undefined) return undefined;
	const notice = noticeText(message.text);
	const recipients: RecipientReport[] = value
		.split(",")
		.map((a) => stripAngles(a))
		.filter((a) => a.includes("@"))
		.map((address) => {
			const diagnostic = textAfter(notice, address);
			const status = statusFromText(diagnostic) ?? statusFromText(notice);
			return {
				address,
				original: undefined,
				action: "failed",
				// the header means a permanent failure whatever the text quotes
				status: asFailure(status),
				diagnostic,
				remoteMta: undefined,
			};
		});
	if (recipients.length === 0) return undefined;
	return {
		kind: "bounce",
		detector: "x-failed-recipients",
		recipients,
		reportingMta: undefined,
	};
};
