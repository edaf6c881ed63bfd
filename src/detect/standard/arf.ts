import type { Detector } from "../types.ts";

/** RFC 5965 §2: an ARF feedback report (spam complaint) is never a delivery failure. */
export const feedbackReport: Detector = (message) => {
	if (!message.parts.some((p) => p.mimeType === "message/feedback-report"))
		return undefined;
	return {
		kind: "ignore",
		detector: "feedback-report",
		reason: "feedback-report",
	};
};
