import { expect, test } from "bun:test";
import { qmail } from "../../src/detect/vendor/qmail.ts";
import { parseMessage } from "../../src/mail/message.ts";
import { fixture } from "../support/detect.ts";

test("qmail: qmail-send paragraphs; a 4.4.x expiry stays failed for decide() to hold", async () => {
	const found = qmail(await fixture("qmail-01.eml"));
	expect(found?.kind).toBe("bounce");
	if (found?.kind !== "bounce") return;
	expect(found.recipients.map((r) => [r.address, r.action, r.status])).toEqual([
		["rua@example.net", "failed", "5.1.1"],
		["ruf@example.net", "failed", "4.2.2"],
		["dmarc@example.com", "failed", "4.4.1"],
	]);
});

test("qmail: a clone's expired transient condition is a delay, not a failure", async () => {
	const found = qmail(await fixture("qmail-02.eml"));
	expect(found?.kind === "bounce" ? found.recipients[0]?.action : null).toBe(
		"delayed",
	);
});

test("qmail: a notice that keeps trying is a warning", async () => {
	const found = qmail(
		await parseMessage(
			[
				"From: MAILER-DAEMON@mx.example.net",
				"Subject: failure notice",
				"",
				"Hi. This is the qmail-send program at mx.example.net.",
				"This is not a permanent error; I will keep trying.",
				"",
				"<rua@example.net>:",
				"Remote host said: 550 5.1.1 User unknown",
				"",
			].join("\n"),
		),
	);
	expect(found?.kind === "bounce" ? found.recipients[0]?.action : null).toBe(
		"delayed",
	);
});

test("qmail: not mine", async () => {
	const other = await parseMessage(
		[
			"From: someone@example.com",
			"Subject: Re: report",
			"",
			"I'm afraid I can't make it on Monday.",
			"Thanks.",
		].join("\n"),
	);
	expect(qmail(other)).toBeUndefined();
});
