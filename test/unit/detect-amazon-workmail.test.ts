import { expect, test } from "bun:test";
import { amazonWorkMail } from "../../src/detect/vendor/amazon-workmail.ts";
import { fixture, rows } from "../support/detect.ts";

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
