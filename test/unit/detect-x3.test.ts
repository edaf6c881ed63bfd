import { expect, test } from "bun:test";
import { x3 } from "../../src/detect/x3.ts";
import { parseMessage } from "../../src/mail/message.ts";
import { fixture } from "../support/detect.ts";

test("x3: failed permanently list with technical details", async () => {
	const found = x3(await fixture("x3-01.eml"));
	expect(found?.kind).toBe("bounce");
	if (found?.kind !== "bounce") return;
	expect(found.recipients.map((r) => [r.address, r.action, r.status])).toEqual([
		["rua@example.net", "failed", "5.1.1"],
	]);
});

test("x3: not mine", async () => {
	const other = await parseMessage(
		[
			"From: someone@example.com",
			"Subject: Re: report",
			"",
			"Delivery to the following recipients failed permanently:",
			"   * rua@example.net",
		].join("\n"),
	);
	expect(x3(other)).toBeUndefined();
});
