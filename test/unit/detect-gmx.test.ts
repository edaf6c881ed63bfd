import { expect, test } from "bun:test";
import { gmx } from "../../src/detect/vendor/gmx.ts";
import { parseMessage } from "../../src/mail/message.ts";
import { fixture } from "../support/detect.ts";

test("gmx: permanent error list; retry timeout is an expiry", async () => {
	const found = gmx(await fixture("gmx-01.eml"));
	expect(found?.kind).toBe("bounce");
	if (found?.kind !== "bounce") return;
	expect(found.recipients.map((r) => [r.address, r.action, r.status])).toEqual([
		["rua@example.net", "failed", "5.1.1"],
		["ruf@example.com", "failed", "4.4.7"],
	]);
});

test("gmx: not mine", async () => {
	const other = await parseMessage(
		[
			"From: someone@example.com",
			"Subject: Re: report",
			"",
			"This is a permanent error. The following address failed:",
			"rua@example.net",
		].join("\n"),
	);
	expect(gmx(other)).toBeUndefined();
});
