import { expect, test } from "bun:test";
import { autoReply } from "../../src/detect/standard/auto-reply.ts";
import { fixture, mail } from "../support/detect.ts";

test("auto-reply: a vacation notice (RFC 3834) is recognised and ignored", async () => {
	expect(autoReply(await fixture("autoreply-01.eml"))).toEqual({
		kind: "ignore",
		detector: "auto-reply",
		reason: "auto-reply",
	});
});

test("auto-reply: a mailer daemon's auto-replied bounce is not one", async () => {
	const bounce = await mail([
		"From: Mail Delivery System <MAILER-DAEMON@mx.example.net>",
		"Auto-Submitted: auto-replied",
		"Subject: Undelivered Mail Returned to Sender",
		"",
		"<rua@example.net>: 550 5.1.1 User unknown",
	]);
	expect(autoReply(bounce)).toBeUndefined();
});

test("auto-reply: ordinary mail is not one", async () => {
	expect(
		autoReply(
			await mail([
				"From: jane@example.com",
				"Subject: Re: report",
				"",
				"Thanks.",
			]),
		),
	).toBeUndefined();
});
