import { expect, test } from "bun:test";
import { rfc3464Inline } from "../../src/detect/generic/rfc3464-inline.ts";
import { fixture, mail, rows } from "../support/detect.ts";

test("rfc3464-inline: RFC 3464 fields in a text part", async () => {
	const found = rfc3464Inline(await fixture("inline-01.eml"));
	expect(found?.detector).toBe("rfc3464-inline");
	expect(rows(found)).toEqual([["rua@example.net", "failed", "5.1.1"]]);
});

test("rfc3464-inline: not mine", async () => {
	const other = await mail([
		"From: Jane <jane@example.com>",
		"Subject: Re: report",
		"",
		"rua@example.net: 550 5.1.1 User unknown",
		"Final-Recipient: rfc822; rua@example.net",
	]);
	expect(rfc3464Inline(other)).toBeUndefined();
});
