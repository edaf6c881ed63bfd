import type { Message } from "../mail/message.ts";
import { rfc3464Inline } from "./generic/rfc3464-inline.ts";
import { textNotice } from "./generic/text-notice.ts";
import { verpNotice } from "./generic/verp.ts";
import { xFailedRecipients } from "./generic/x-failed-recipients.ts";
import { feedbackReport } from "./standard/arf.ts";
import { autoReply } from "./standard/auto-reply.ts";
import { mdnReject } from "./standard/mdn-reject.ts";
import { rfc3464 } from "./standard/rfc3464.ts";
import type { Detection, Detector } from "./types.ts";
import { amazonSes } from "./vendor/amazon-ses.ts";
import { VENDORS } from "./vendor/index.ts";

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
	...VENDORS,
	["auto-reply", autoReply],
	// generic: RFC 3464 fields in a text part, then a notice's prose
	["rfc3464-inline", rfc3464Inline],
	["text-notice", textNotice],
];

/**
 * The first confident reading of `message`; `extension` is Postfix's ${extension}
 * (VERP), read only when no detector understands the notice itself.
 */
export function detect(
	message: Message,
	extension = "",
): Detection | undefined {
	for (const [, detector] of DETECTORS) {
		const found = detector(message);
		if (found) return found;
	}
	return verpNotice(message, extension);
}
