import { expect, test } from "bun:test";
import { activeHunter } from "../../src/detect/vendor/activehunter.ts";
import { fixture, mail, rows } from "../support/detect.ts";

test("activehunter: permanent fatal errors and the transcript", async () => {
	const found = activeHunter(await fixture("activehunter-01.eml"));
	expect(rows(found)).toEqual([["rua@example.net", "failed", "5.1.1"]]);
});

test("activehunter: sendmail wording without the X-AHMAILID marker is not mine", async () => {
	const other = await mail([
		"From: MAILER-DAEMON@example.net",
		"Subject: Returned mail",
		"",
		"   ----- The following addresses had permanent fatal errors -----",
		"rua@example.net",
	]);
	expect(activeHunter(other)).toBeUndefined();
});
