import { addressLine, bounce, collapse, failed, lines } from "../lib/lines.ts";
import type { Detector } from "../types.ts";

/**
 * MailMarshal SMTP (Trustwave): one reason for the whole message under "Could not be
 * delivered because of", then "The following recipients were affected:" with one
 * indented address per line, then an "Additional Information" block.
 */
export const mailMarshal: Detector = (message) => {
	if (
		!/^[^\S\r\n\u2028\u2029]*Could not be delivered because of\s*$/im.test(
			message.text,
		)
	)
		return undefined;
	const reason: string[] = [];
	const addresses: string[] = [];
	let remoteMta: string | undefined;
	let section: "none" | "reason" | "recipients" = "none";
	for (const line of lines(message.text)) {
		if (/^\s*Could not be delivered because of\s*$/i.test(line))
			section = "reason";
		else if (/^\s*The following recipients were affected:?\s*$/i.test(line))
			section = "recipients";
		else if (/^\s*Additional Information\s*$/i.test(line)) section = "none";
		else if (section === "reason" && line.trim() !== "")
			// 550 5.1.1 User unknown
			reason.push(line);
		else if (section === "recipients") {
			//     user@example.org
			const address = addressLine(line);
			if (address !== undefined) addresses.push(address);
		} else {
			// Remote-MTA:			<192.0.2.2>
			const mta = /^\s*Remote-MTA:\s*<?([^<>\s]+)>?\s*$/i.exec(line)?.[1];
			if (mta !== undefined) remoteMta = mta;
		}
	}
	const diagnostic = collapse(reason.join(" "));
	return bounce(
		"mailmarshal",
		addresses.map((a) =>
			failed(a, diagnostic, remoteMta === undefined ? {} : { remoteMta }),
		),
	);
};
