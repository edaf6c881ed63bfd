import { expect, test } from "bun:test";
import { feedbackReport } from "../../src/detect/standard/arf.ts";
import { fixture, mail } from "../support/detect.ts";

test("feedback-report: an ARF report (RFC 5965) is recognised and ignored", async () => {
	expect(feedbackReport(await fixture("arf-01.eml"))).toEqual({
		kind: "ignore",
		detector: "feedback-report",
		reason: "feedback-report",
	});
});

test("feedback-report: not mine", async () => {
	expect(feedbackReport(await fixture("rfc3464-01.eml"))).toBeUndefined();
	expect(
		feedbackReport(await mail(["Subject: spam complaint", "", "abuse"])),
	).toBeUndefined();
});
