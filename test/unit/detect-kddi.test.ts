import { expect, test } from "bun:test";
import { kddi } from "../../src/detect/kddi.ts";
import { fixture, mail, rows } from "../support/detect.ts";

test("kddi: Could not be delivered to, reason below", async () => {
	const found = kddi(await fixture("kddi-01.eml"));
	expect(rows(found)).toEqual([["rua@example.net", "failed", "5.2.2"]]);
	const first = found?.kind === "bounce" ? found.recipients[0] : undefined;
	expect(first?.diagnostic).toBe("As their mailbox is full.");
});

test("kddi: not mine on ordinary mail and auto-replies", async () => {
	const ordinary = await mail([
		"From: someone@example.com",
		"Subject: Re: Report Domain: example.org",
		"",
		"Thanks for the report, forwarded to rua@example.net.",
	]);
	expect(kddi(ordinary)).toBeUndefined();
	const vacation = await mail([
		"From: rua@example.net",
		"Subject: Automatic reply: Report Domain: example.org",
		"Auto-Submitted: auto-replied",
		"",
		"I am out of the office until Monday.",
	]);
	expect(kddi(vacation)).toBeUndefined();
});
