import { Buffer } from "node:buffer";
import { embedded, type Message } from "../../mail/message.ts";
import { headerEnd } from "../../mail/repair.ts";
import { BOL } from "../lib/text.ts";
import { rfc3464 } from "../standard/rfc3464.ts";
import type { Bounce } from "../types.ts";

// RFC 6522 §3: the attached message is itself a delivery report. What the pattern
//   ^content-type:[ \t]*multipart\/report[^\n\r]*?report-type[ \t]*=[ \t]*"?delivery-status
// (flags im) tested, in parts: the parameter on the rest of a line (to CR or LF) that
// starts with the type. `^` also starts after U+2028 and U+2029, which do not end that
// rest: a second start on the same rest reads a part of it already refused, so it is
// passed over (issue 11: recheck could not decide the lazy scan).
const CONTENT_TYPE = new RegExp(
	String.raw`${BOL}content-type:[ \t]*multipart\/report`,
	"gi",
);
const LINE_END = /[\n\r]/g;
const DELIVERY_STATUS = /report-type[ \t]*=[ \t]*"?delivery-status/i;

export function isDeliveryReport(block: string): boolean {
	let refused = -1; // where the last rest that was refused ended
	for (const m of block.matchAll(CONTENT_TYPE)) {
		const from = m.index + m[0].length;
		if (from < refused) continue;
		LINE_END.lastIndex = from;
		const end = LINE_END.exec(block)?.index ?? block.length;
		if (DELIVERY_STATUS.test(block.slice(from, end))) return true;
		refused = end;
	}
	return false;
}

/** A delivery report found inside an attachment, and the message it was read from. */
export interface ForwardedReport {
	readonly bounce: Bounce;
	readonly message: Message;
	readonly raw: Uint8Array;
}

/**
 * A notice that no detector reads, with a whole DSN attached as message/rfc822:
 * a filtering gateway (Trend Micro IMSVA, for one) or a person passing on the
 * bounce it received. Requirements R4 asks for the report "at any nesting depth".
 * It is read only when the attachment's own top-level Content-Type is
 * multipart/report; report-type=delivery-status (RFC 6522 §3). Our reports are never
 * that, so this is not a DSN quoted inside a returned original, which stays unread
 * (R4), and the attached DSN's returned original stays raw as usual. One level only.
 */
export async function forwardedReport(
	message: Message,
): Promise<ForwardedReport | undefined> {
	for (const part of message.parts) {
		if (part.mimeType !== "message/rfc822") continue;
		if (!isDeliveryReport(headerBlock(part.content))) continue;
		const inner = await embedded(part).catch(() => undefined);
		if (inner === undefined) continue;
		const bounce = rfc3464(inner);
		if (bounce?.kind === "bounce")
			return {
				bounce: { ...bounce, detector: "rfc3464-forwarded" },
				message: inner,
				raw: part.content,
			};
	}
	return undefined;
}

/** The header block of a message (at most 64 KiB of it), unfolded enough for a regex. */
function headerBlock(raw: Uint8Array): string {
	const head = Buffer.from(raw.subarray(0, 65536)).toString("latin1");
	const end = headerEnd(head);
	return (end < 0 ? head : head.slice(0, end)).replace(/\r?\n[ \t]+/g, " ");
}
