import { expect, test } from "bun:test";
import { verizon } from "../../src/detect/vendor/verizon.ts";
import { parseMessage } from "../../src/mail/message.ts";
import { fixture } from "../support/detect.ts";

test("verizon: MMSC notice", async () => {
	const found = verizon(await fixture("verizon-01.eml"));
	expect(found?.kind).toBe("bounce");
	if (found?.kind !== "bounce") return;
	expect(found.recipients.map((r) => [r.address, r.action, r.status])).toEqual([
		["5550100@mms.example.net", "failed", "5.0.0"],
	]);
});

test("verizon: not mine", async () => {
	const other = await parseMessage(
		[
			"From: someone@example.com",
			"Subject: Re: report",
			"",
			"Message could not be delivered to mobile phones in the tunnel.",
			"To: rua@example.net",
		].join("\n"),
	);
	expect(verizon(other)).toBeUndefined();
});
