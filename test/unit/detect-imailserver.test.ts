import { expect, test } from "bun:test";
import { imailServer } from "../../src/detect/vendor/imailserver.ts";
import { parseMessage } from "../../src/mail/message.ts";
import { fixture } from "../support/detect.ts";

test("imailserver: reason: address lines; an expiry is held", async () => {
	const found = imailServer(await fixture("imailserver-01.eml"));
	expect(found?.kind).toBe("bounce");
	if (found?.kind !== "bounce") return;
	expect(found.recipients.map((r) => [r.address, r.action, r.status])).toEqual([
		["rua@example.net", "failed", "5.0.0"],
		["ruf@example.com", "failed", "4.4.7"],
	]);
});

test("imailserver: not mine", async () => {
	const other = await parseMessage(
		[
			"From: someone@example.com",
			"Subject: Re: report",
			"",
			"Unknown user: rua@example.net",
			"Original message follows.",
		].join("\n"),
	);
	expect(imailServer(other)).toBeUndefined();
});
