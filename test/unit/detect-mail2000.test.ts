import { expect, test } from "bun:test";
import { mail2000 } from "../../src/detect/vendor/mail2000.ts";
import { parseMessage } from "../../src/mail/message.ts";
import { fixture } from "../support/detect.ts";

test("mail2000: address [reason] lines", async () => {
	const found = mail2000(await fixture("mail2000-01.eml"));
	expect(found?.kind).toBe("bounce");
	if (found?.kind !== "bounce") return;
	expect(found.recipients.map((r) => [r.address, r.action, r.status])).toEqual([
		["rua@example.net", "failed", "5.0.0"],
	]);
});

test("mail2000: not mine", async () => {
	const other = await parseMessage(
		[
			"From: someone@example.com",
			"Subject: Re: report",
			"",
			"The following addresses had delivery errors:",
			"rua@example.net [User unknown]",
		].join("\n"),
	);
	expect(mail2000(other)).toBeUndefined();
});
