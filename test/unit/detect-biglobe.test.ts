import { expect, test } from "bun:test";
import { biglobe } from "../../src/detect/biglobe.ts";
import { fixture, mail, rows } from "../support/detect.ts";

test("biglobe: addresses, then one reason for all", async () => {
	const found = biglobe(await fixture("biglobe-01.eml"));
	expect(rows(found)).toEqual([["rua@example.net", "failed", "5.2.2"]]);
});

test("biglobe: not mine on ordinary mail and auto-replies", async () => {
	const ordinary = await mail([
		"From: someone@example.com",
		"Subject: Re: Report Domain: example.org",
		"",
		"Thanks for the report, forwarded to rua@example.net.",
	]);
	expect(biglobe(ordinary)).toBeUndefined();
	const vacation = await mail([
		"From: rua@example.net",
		"Subject: Automatic reply: Report Domain: example.org",
		"Auto-Submitted: auto-replied",
		"",
		"I am out of the office until Monday.",
	]);
	expect(biglobe(vacation)).toBeUndefined();
});
