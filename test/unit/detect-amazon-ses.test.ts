import { expect, test } from "bun:test";
import { amazonSes } from "../../src/detect/vendor/amazon-ses.ts";
import { fixture, ordinaryMail, rows } from "../support/detect.ts";

test("amazon-ses: an SES bounce notification", async () => {
	const found = amazonSes(await fixture("ses-01.eml"));
	expect(found?.detector).toBe("amazon-ses");
	expect(rows(found)).toEqual([["rua@example.net", "failed", "5.1.1"]]);
});

test("amazon-ses: not mine", async () => {
	const other = await ordinaryMail();
	expect(amazonSes(other)).toBeUndefined();
});
