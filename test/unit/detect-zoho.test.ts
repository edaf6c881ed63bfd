import { expect, test } from "bun:test";
import { zoho } from "../../src/detect/vendor/zoho.ts";
import { parseMessage } from "../../src/mail/message.ts";
import { fixture } from "../support/detect.ts";

test("zoho: ERROR_CODE lines; a 421 that gave up is not a failure", async () => {
	const found = zoho(await fixture("zoho-01.eml"));
	expect(found?.kind).toBe("bounce");
	if (found?.kind !== "bounce") return;
	expect(found.recipients.map((r) => [r.address, r.action, r.status])).toEqual([
		["rua@example.net", "failed", "5.1.1"],
		["ruf@example.com", "delayed", "4.0.0"],
	]);
});

test("zoho: the delay warning", async () => {
	const found = zoho(await fixture("zoho-02.eml"));
	expect(
		found?.kind === "bounce"
			? found.recipients.map((r) => [r.address, r.action])
			: null,
	).toEqual([["rua@example.net", "delayed"]]);
});

test("zoho: not mine", async () => {
	const other = await parseMessage(
		[
			"From: someone@example.com",
			"Subject: Re: report",
			"",
			"rua@example.net Invalid Address, ERROR_CODE :550",
		].join("\n"),
	);
	expect(zoho(other)).toBeUndefined();
});
