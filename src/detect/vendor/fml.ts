import { header } from "../../mail/message.ts";
import { ADDRESS, bounce, fromHost, recipient } from "../lib/blocks.ts";
import type { Detector } from "../types.ts";

/**
 * fml, the mailing list manager (`X-MLServer: fml [fml 4.0.3 ...]`), refusing a post
 * from a non-member, e.g.
 *   You are not a member of this mailing list <list@example.org>.
 * The list will refuse every report: RFC 3463 X.7.1 "delivery not authorized".
 * Its other notices (loop alerts, command replies) say nothing about the address.
 */
export const fml: Detector = (message) => {
	if (!/\bfml\b/i.test(header(message, "x-mlserver") ?? "")) return undefined;
	const list = new RegExp(
		`You are not a member of this mailing list <(${ADDRESS})>`,
		"i",
	).exec(message.text);
	if (!list) return undefined;
	return bounce(
		"fml",
		[
			recipient(list[1] ?? "", list[0], {
				action: "failed",
				status: "5.7.1",
			}),
		],
		fromHost(message),
	);
};
