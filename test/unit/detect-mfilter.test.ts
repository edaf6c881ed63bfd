import { expect, test } from "bun:test";
import { mFilter } from "../../src/detect/mfilter.ts";
import { fixture, mail, rows } from "../support/detect.ts";

test("mfilter: addresses above the server message", async () => {
	const found = mFilter(await fixture("mfilter-01.eml"));
	expect(rows(found)).toEqual([["rua@example.com", "failed", "5.1.1"]]);
	const first = found?.kind === "bounce" ? found.recipients[0] : undefined;
	expect(first?.diagnostic).toContain("User unknown");
});

test("mfilter: not mine on ordinary mail and auto-replies", async () => {
	const ordinary = await mail([
		"From: someone@example.com",
		"Subject: Re: Report Domain: example.org",
		"",
		"Thanks for the report, forwarded to rua@example.net.",
	]);
	expect(mFilter(ordinary)).toBeUndefined();
	const vacation = await mail([
		"From: rua@example.net",
		"Subject: Automatic reply: Report Domain: example.org",
		"Auto-Submitted: auto-replied",
		"",
		"I am out of the office until Monday.",
	]);
	expect(mFilter(vacation)).toBeUndefined();
});
