import { expect, test } from "bun:test";
import { apacheJames } from "../../src/detect/vendor/apache-james.ts";
import { parseMessage } from "../../src/mail/message.ts";
import { fixture } from "../support/detect.ts";

test("apache-james: Error message below / RCPT TO", async () => {
	const found = apacheJames(await fixture("apache-james-01.eml"));
	expect(found?.kind).toBe("bounce");
	if (found?.kind !== "bounce") return;
	expect(found.recipients.map((r) => [r.address, r.action, r.status])).toEqual([
		["rua@sms.example.net", "failed", "5.0.0"],
	]);
});

test("apache-james: not mine", async () => {
	const other = await parseMessage(
		[
			"From: someone@example.com",
			"Subject: Re: report",
			"",
			"Error message below:",
			"none",
			"Message details:",
			"  To: rua@example.net",
		].join("\n"),
	);
	expect(apacheJames(other)).toBeUndefined();
});
