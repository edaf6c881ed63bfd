import { expect, test } from "bun:test";
import { yahoo } from "../../src/detect/vendor/yahoo.ts";
import { parseMessage } from "../../src/mail/message.ts";
import { fixture, rows } from "../support/detect.ts";

test("yahoo: Yahoo's qmail layout", async () => {
	const found = yahoo(await fixture("yahoo-01.eml"));
	expect(found?.kind).toBe("bounce");
	if (found?.kind !== "bounce") return;
	expect(found.recipients.map((r) => [r.address, r.action, r.status])).toEqual([
		["rua@example.net", "failed", "5.1.1"],
	]);
});

test("yahoo: the queue gave up; the recipient is the notice's To line, not the returned copy's", async () => {
	expect(rows(yahoo(await fixture("yahoo-02.eml")))).toEqual([
		["rua@example.net", "failed", "5.0.0"],
	]);
});

test("yahoo: not mine", async () => {
	const other = await parseMessage(
		[
			"From: someone@example.com",
			"Subject: Re: report",
			"",
			"Sorry, we were unable to attend the meeting.",
			"<rua@example.net>: see you",
		].join("\n"),
	);
	expect(yahoo(other)).toBeUndefined();
});
