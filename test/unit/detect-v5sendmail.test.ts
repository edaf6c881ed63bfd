import { expect, test } from "bun:test";
import { v5sendmail } from "../../src/detect/vendor/v5sendmail.ts";
import { parseMessage } from "../../src/mail/message.ts";
import { fixture } from "../support/detect.ts";

test("v5sendmail: transcript lines with 5xx, deferrals skipped", async () => {
	const found = v5sendmail(await fixture("v5sendmail-01.eml"));
	expect(found?.kind).toBe("bounce");
	if (found?.kind !== "bounce") return;
	expect(found.recipients.map((r) => [r.address, r.action, r.status])).toEqual([
		["rua@example.net", "failed", "5.0.0"],
		["ruf@example.net", "failed", "5.0.0"],
	]);
});

test("v5sendmail: not mine", async () => {
	const other = await parseMessage(
		[
			"From: someone@example.com",
			"Subject: Re: report",
			"",
			"----- Transcript of session follows -----",
			"550 <rua@example.net>... User unknown",
		].join("\n"),
	);
	expect(v5sendmail(other)).toBeUndefined();
});
