import { bounce, failed, firstAddress, lines } from "../lib/lines.ts";
import { noticeText } from "../lib/text.ts";
import type { Detector, RecipientReport } from "../types.ts";

/**
 * KDDI's au one net and DION mail servers: the reason in Japanese, then an English
 * block with one recipient and the reason on the line below it.
 */
export const kddi: Detector = (message) => {
	const notice = noticeText(message.text);
	if (!/^[^\S\r\n\u2028\u2029]*Your mail sent on:/m.test(notice))
		return undefined;
	const recipients: RecipientReport[] = [];
	const all = lines(notice);
	for (const [i, line] of all.entries()) {
		//      Could not be delivered to: <user@example.org>
		//      As their mailbox is full.
		// (linear, issue 11: `\s*(\S.*|.)` is `\s*(.+)` without two ways to split blanks)
		const named = /^\s*Could not be delivered to:\s*(\S.*|.)$/i.exec(line)?.[1];
		const address = named === undefined ? undefined : firstAddress(named);
		if (address === undefined) continue;
		const reason = all
			.slice(i + 1, i + 4)
			.filter((l) => /^\s+\S/.test(l) && !/Could not be delivered/i.test(l));
		recipients.push(failed(address, reason.join(" ")));
	}
	return bounce("kddi", recipients);
};
