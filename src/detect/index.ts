import type { Message } from "../mail/message.ts";
import { amazonSes } from "./amazon-ses.ts";
import { FORMATS_A } from "./formats-a.ts";
import { FORMATS_B } from "./formats-b.ts";
import { mdnReject } from "./mdn-reject.ts";
import { autoReply, feedbackReport } from "./not-a-bounce.ts";
import { rfc3464 } from "./rfc3464.ts";
import { rfc3464Inline } from "./rfc3464-inline.ts";
import { textNotice } from "./text-notice.ts";
import type { Detection, Detector } from "./types.ts";
import { xFailedRecipients } from "./x-failed-recipients.ts";

/**
 * Order matters (requirements R7): the RFC 3464 reader first, then specific formats,
 * most reliable first, then the recognisers of what is not a bounce. The first
 * confident answer wins; taking the union of all would pick bogus addresses out of
 * the returned message.
 */
export const DETECTORS: readonly (readonly [
	name: string,
	detector: Detector,
])[] = [
	["feedback-report", feedbackReport],
	["rfc3464", rfc3464],
	["x-failed-recipients", xFailedRecipients],
	["amazon-ses", amazonSes],
	["mdn-reject", mdnReject],
	// vendor text formats: each gates on a marker only its MTA writes
	...FORMATS_A,
	...FORMATS_B,
	["auto-reply", autoReply],
	// generic: RFC 3464 fields in a text part, then a notice's prose
	["rfc3464-inline", rfc3464Inline],
	["text-notice", textNotice],
];

export function detect(message: Message): Detection | undefined {
	for (const [, detector] of DETECTORS) {
		const found = detector(message);
		if (found) return found;
	}
	return undefined;
}
