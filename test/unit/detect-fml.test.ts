import { expect, test } from "bun:test";
import { fml } from "../../src/detect/vendor/fml.ts";
import { parseMessage } from "../../src/mail/message.ts";
import { fixture } from "../support/detect.ts";

test("fml: non-member refusal", async () => {
	const found = fml(await fixture("fml-01.eml"));
	expect(found?.kind).toBe("bounce");
	if (found?.kind !== "bounce") return;
	expect(found.recipients.map((r) => [r.address, r.action, r.status])).toEqual([
		["dmarc@example.net", "failed", "5.7.1"],
	]);
});

test("fml: not mine", async () => {
	const other = await parseMessage(
		[
			"From: someone@example.com",
			"Subject: Re: report",
			"",
			"You are not a member of this mailing list <dmarc@example.net>.",
		].join("\n"),
	);
	expect(fml(other)).toBeUndefined();
});
