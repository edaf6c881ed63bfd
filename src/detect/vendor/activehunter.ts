import { header } from "../../mail/message.ts";
import { bounce, collapse, failed, firstAddress, lines } from "../lib/lines.ts";
import { noticeText } from "../lib/text.ts";
import type { Detector } from "../types.ts";

//   ----- The following addresses had permanent fatal errors -----
const FATAL =
	/^\s*-+\s*The following addresses had permanent fatal errors\s*-+\s*$/i;
//   ----- Transcript of session follows -----
const TRANSCRIPT = /^\s*-+\s*Transcript of (?:the )?session follows\s*-+\s*$/i;

/**
 * Active!Hunter (a Japanese mail gateway): sendmail's wording in a multipart/report
 * without a message/delivery-status part; marked by its X-AHMAILID header.
 */
export const activeHunter: Detector = (message) => {
	if (
		header(message, "x-ahmailid") === undefined &&
		!/Active!Hunter/i.test(header(message, "content-type") ?? "")
	)
		return undefined;
	const addresses: string[] = [];
	const transcript: string[] = [];
	let section: "none" | "fatal" | "transcript" = "none";
	for (const line of lines(noticeText(message.text))) {
		if (FATAL.test(line)) section = "fatal";
		else if (TRANSCRIPT.test(line)) section = "transcript";
		else if (/^\s*-{3,}/.test(line)) section = "none";
		else if (section === "fatal") {
			// >>> user@example.org <user@example.org>
			const address = firstAddress(line.replace(/^\s*>>>\s*/, ""));
			if (address !== undefined) addresses.push(address);
		} else if (section === "transcript" && line.trim() !== "") {
			// 550 sorry, no mailbox here by that name (#5.1.1 - chkusr)
			transcript.push(line);
		}
	}
	return bounce(
		"activehunter",
		addresses.map((address) => {
			const own = transcript.filter((l) =>
				l.toLowerCase().includes(address.toLowerCase()),
			);
			return failed(
				address,
				collapse((own.length > 0 ? own : transcript).join(" ")),
			);
		}),
	);
};
