import { expect, test } from "bun:test";
import { xFailedRecipients } from "../../src/detect/generic/x-failed-recipients.ts";
import { fixture, ordinaryMail, rows } from "../support/detect.ts";

test("x-failed-recipients: the X-Failed-Recipients header", async () => {
	const found = xFailedRecipients(await fixture("googlegroups-01.eml"));
	expect(found?.detector).toBe("x-failed-recipients");
	expect(rows(found)).toEqual([["rua@groups.example.com", "failed", "5.0.0"]]);
});

test("x-failed-recipients: not mine", async () => {
	const other = await ordinaryMail();
	expect(xFailedRecipients(other)).toBeUndefined();
});
