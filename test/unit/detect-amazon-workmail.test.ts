import { expect, test } from "bun:test";
import { amazonWorkMail } from "../../src/detect/amazon-workmail.ts";
import { fixture, mail, rows } from "../support/detect.ts";

test("amazon-workmail: RFC 3464 fields quoted in the text", async () => {
	const found = amazonWorkMail(await fixture("amazon-workmail-01.eml"));
	expect(rows(found)).toEqual([["rua@example.org", "failed", "5.2.2"]]);
	expect(found?.kind === "bounce" ? found.reportingMta : undefined).toBe(
		"a1-1.smtp-out.example.com",
	);
});

test("amazon-workmail: an expired message keeps its 4.4.7 (held by decide())", async () => {
	expect(rows(amazonWorkMail(await fixture("amazon-workmail-02.eml")))).toEqual(
		[["rua@example.org", "failed", "4.4.7"]],
	);
});

test("amazon-workmail: not mine on ordinary mail and auto-replies", async () => {
	const ordinary = await mail([
		"From: someone@example.com",
		"Subject: Re: Report Domain: example.org",
		"",
		"Thanks for the report, forwarded to rua@example.net.",
	]);
	expect(amazonWorkMail(ordinary)).toBeUndefined();
	const vacation = await mail([
		"From: rua@example.net",
		"Subject: Automatic reply: Report Domain: example.org",
		"Auto-Submitted: auto-replied",
		"",
		"I am out of the office until Monday.",
	]);
	expect(amazonWorkMail(vacation)).toBeUndefined();
});
