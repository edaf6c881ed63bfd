import { Buffer } from "node:buffer";
import { embedded, type Message } from "../../mail/message.ts";
import { headerEnd } from "../../mail/repair.ts";
import { rfc3464 } from "../standard/rfc3464.ts";
import type { Bounce } from "../types.ts";

// RFC 6522 §3: the attached message is itself a delivery report
const REPORT_TYPE =
	/^content-type:[ \t]*multipart\/report[^\n\r]*?report-type[ \t]*=[ \t]*"?delivery-status/im;

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
		if (!REPORT_TYPE.test(headerBlock(part.content))) continue;
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
