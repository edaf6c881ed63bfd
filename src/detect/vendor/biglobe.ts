import { addressLine, bounce, collapse, failed, lines } from "../lib/lines.ts";
import type { Detector } from "../types.ts";

//    ----- The following addresses had delivery problems -----
const ADDRESSES =
	/^\s*-+\s*The following addresses had delivery problems\s*-+\s*$/i;
//    ----- Non-delivered information -----
const REASON = /^\s*-+\s*Non-delivered information\s*-+\s*$/i;

/**
 * BIGLOBE's mail servers: a list of addresses, then one reason for all of them under
 * "Non-delivered information"; the returned original is an attachment.
 */
export const biglobe: Detector = (message) => {
	if (!message.text.includes("Non-delivered information")) return undefined;
	const addresses: string[] = [];
	const reason: string[] = [];
	let section: "none" | "addresses" | "reason" = "none";
	for (const line of lines(message.text)) {
		if (ADDRESSES.test(line)) section = "addresses";
		else if (REASON.test(line)) section = "reason";
		else if (/^\s*-{3,}/.test(line)) section = "none";
		else if (section === "addresses") {
			const address = addressLine(line);
			if (address !== undefined) addresses.push(address);
		} else if (section === "reason" && line.trim() !== "") reason.push(line);
	}
	const diagnostic = collapse(reason.join(" "));
	return bounce(
		"biglobe",
		addresses.map((a) => failed(a, diagnostic)),
	);
};
