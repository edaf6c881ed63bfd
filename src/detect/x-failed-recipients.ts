import { stripAngles } from "../dsn/address.ts";
import { statusFromText } from "../dsn/status.ts";
import { header } from "../mail/message.ts";
import type { Detector, RecipientReport } from "./types.ts";

/**
 * Bounces that name the failed addresses in an `X-Failed-Recipients` header and have
 * no RFC 3464 part: Exim's text bounces and Google Groups' notices, e.g.
 *   X-Failed-Recipients: rua@groups.example.org
 * Exim sets the header only for permanent failures, never for delay warnings.
 */
export const xFailedRecipients: Detector = (message) => {
	const value = header(message, "x-failed-recipients");
	if (value === undefined) return undefined;
	const status = statusFromText(message.text) ?? "5.0.0";
	const recipients: RecipientReport[] = value
		.split(",")
		.map((a) => stripAngles(a))
		.filter((a) => a.includes("@"))
		.map((address) => ({
			address,
			original: undefined,
			action: "failed",
			status: status.startsWith("2") ? "5.0.0" : status,
			diagnostic: undefined,
			remoteMta: undefined,
		}));
	if (recipients.length === 0) return undefined;
	return {
		kind: "bounce",
		detector: "x-failed-recipients",
		recipients,
		reportingMta: undefined,
	};
};
