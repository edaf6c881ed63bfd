import {
	ADDRESS,
	before,
	bounce,
	fromHost,
	recipient,
	verdict,
} from "../lib/blocks.ts";
import type { Detector, RecipientReport } from "../types.ts";

// The returned headers start here in GMX, WEB.DE, mail.com and 1&1 (IONOS) bounces
const COPY =
	/^[ \t]*--- The header of the original message is following\. ---/im;
const FAILED =
	/This is a permanent error\.?\s+The following address(?:\(es\))?\s+failed:\s*\n/i;

/**
 * United Internet's mail platform (GMX, WEB.DE, mail.com, 1&1): Exim's wording
 * without X-Failed-Recipients, e.g.
 *   This is a permanent error. The following address failed:
 *   "user@example.org":
 *   SMTP error from remote server after RCPT command:
 *   host: mx.example.org
 *   5.1.1 <user@example.org>... User Unknown
 *   --- The header of the original message is following. ---
 */
export const gmx: Detector = (message) => {
	if (!COPY.test(message.text)) return undefined;
	const start = FAILED.exec(message.text);
	if (!start) return undefined;
	const list = before(message.text.slice(start.index + start[0].length), COPY);
	// "user@example.org":  |  <user@example.org>  |  user@example.org:  |  user@example.org
	const head = new RegExp(`^[ \\t]*["<]?(${ADDRESS})[">]?:?[ \\t]*$`, "gm");
	const heads = [...list.matchAll(head)];
	const recipients: RecipientReport[] = heads.map((m, i) => {
		const end = heads[i + 1]?.index ?? list.length;
		const text = list
			.slice((m.index ?? 0) + m[0].length, end)
			.replace(/^\s*(?:Reason:|For the following reason:)\s*/i, "");
		return recipient(m[1] ?? "", text, verdict(text));
	});
	return bounce("gmx", recipients, fromHost(message));
};
