import { expect, test } from "bun:test";
import { fullDetails } from "../../src/detect/vendor/full-details.ts";
import { parseMessage } from "../../src/mail/message.ts";
import { fixture } from "../support/detect.ts";

test("full-details: rejected recipient sentence", async () => {
	const found = fullDetails(await fixture("full-details-01.eml"));
	expect(found?.kind).toBe("bounce");
	if (found?.kind !== "bounce") return;
	expect(found.recipients.map((r) => [r.address, r.action, r.status])).toEqual([
		["rua@example.net", "failed", "5.1.1"],
	]);
});

test("full-details: not mine", async () => {
	const other = await parseMessage(
		[
			"From: someone@example.com",
			"Subject: Re: report",
			"",
			"We had trouble finding the venue.",
			"SMTP Server <mx.example.net> rejected recipient <rua@example.net>. It responded as follows: [550 5.1.1 User unknown]",
		].join("\n"),
	);
	expect(fullDetails(other)).toBeUndefined();
});
