import { expect, test } from "bun:test";
import { mailMarshal } from "../../src/detect/mailmarshal.ts";
import { fixture, mail, rows } from "../support/detect.ts";

test("mailmarshal: one reason, the affected recipients below it", async () => {
	const found = mailMarshal(await fixture("mailmarshal-01.eml"));
	expect(rows(found)).toEqual([
		["rua@example.com", "failed", "5.1.1"],
		["dmarc@example.com", "failed", "5.1.1"],
	]);
	const first = found?.kind === "bounce" ? found.recipients[0] : undefined;
	expect(first?.remoteMta).toBe("192.0.2.20");
	expect(first?.diagnostic).toBe("550 5.1.1 User unknown");
});

test("mailmarshal: not mine on ordinary mail and auto-replies", async () => {
	const ordinary = await mail([
		"From: someone@example.com",
		"Subject: Re: Report Domain: example.org",
		"",
		"Thanks for the report, forwarded to rua@example.net.",
	]);
	expect(mailMarshal(ordinary)).toBeUndefined();
	const vacation = await mail([
		"From: rua@example.net",
		"Subject: Automatic reply: Report Domain: example.org",
		"Auto-Submitted: auto-replied",
		"",
		"I am out of the office until Monday.",
	]);
	expect(mailMarshal(vacation)).toBeUndefined();
});
