import { expect, test } from "bun:test";
import { amazonSes } from "../../src/detect/vendor/amazon-ses.ts";
import { fixture, mail, rows } from "../support/detect.ts";

test("amazon-ses: an SES bounce notification", async () => {
	const found = amazonSes(await fixture("ses-01.eml"));
	expect(found?.detector).toBe("amazon-ses");
	expect(rows(found)).toEqual([["rua@example.net", "failed", "5.1.1"]]);
});

test("amazon-ses: not mine", async () => {
	const other = await mail([
		"From: Jane <jane@example.com>",
		"Subject: Re: report",
		"",
		"rua@example.net: 550 5.1.1 User unknown",
		"Final-Recipient: rfc822; rua@example.net",
	]);
	expect(amazonSes(other)).toBeUndefined();
});
