import { expect, test } from "bun:test";
import { technicalDetails } from "../../src/detect/vendor/technical-details.ts";
import { parseMessage } from "../../src/mail/message.ts";
import { fixture } from "../support/detect.ts";

test("technical-details: failed permanently list with technical details", async () => {
	const found = technicalDetails(await fixture("technical-details-01.eml"));
	expect(found?.kind).toBe("bounce");
	if (found?.kind !== "bounce") return;
	expect(found.recipients.map((r) => [r.address, r.action, r.status])).toEqual([
		["rua@example.net", "failed", "5.1.1"],
	]);
});

test("technical-details: not mine", async () => {
	const other = await parseMessage(
		[
			"From: someone@example.com",
			"Subject: Re: report",
			"",
			"Delivery to the following recipients failed permanently:",
			"   * rua@example.net",
		].join("\n"),
	);
	expect(technicalDetails(other)).toBeUndefined();
});
