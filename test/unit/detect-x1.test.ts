import { expect, test } from "bun:test";
import { x1 } from "../../src/detect/x1.ts";
import { parseMessage } from "../../src/mail/message.ts";
import { fixture } from "../support/detect.ts";

test("x1: address [reason] lines", async () => {
	const found = x1(await fixture("x1-01.eml"));
	expect(found?.kind).toBe("bounce");
	if (found?.kind !== "bounce") return;
	expect(found.recipients.map((r) => [r.address, r.action, r.status])).toEqual([
		["rua@example.net", "failed", "5.0.0"],
	]);
});

test("x1: not mine", async () => {
	const other = await parseMessage(
		[
			"From: someone@example.com",
			"Subject: Re: report",
			"",
			"The following addresses had delivery errors:",
			"rua@example.net [User unknown]",
		].join("\n"),
	);
	expect(x1(other)).toBeUndefined();
});
