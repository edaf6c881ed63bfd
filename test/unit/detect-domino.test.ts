import { expect, test } from "bun:test";
import { domino } from "../../src/detect/vendor/domino.ts";
import { parseMessage } from "../../src/mail/message.ts";
import { fixture } from "../support/detect.ts";

test("domino: was not delivered to / because", async () => {
	const found = domino(await fixture("domino-01.eml"));
	expect(found?.kind).toBe("bounce");
	if (found?.kind !== "bounce") return;
	expect(found.recipients.map((r) => [r.address, r.action, r.status])).toEqual([
		["rua@example.net", "failed", "5.0.0"],
	]);
});

test("domino: not mine", async () => {
	const other = await parseMessage(
		[
			"From: someone@example.com",
			"Subject: Re: report",
			"",
			"Your message was delivered to:",
			"rua@example.net",
		].join("\n"),
	);
	expect(domino(other)).toBeUndefined();
});
