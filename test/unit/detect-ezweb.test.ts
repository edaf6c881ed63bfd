import { expect, test } from "bun:test";
import { ezweb } from "../../src/detect/vendor/ezweb.ts";
import { fixture, mail, rows } from "../support/detect.ts";

test("ezweb: Recipient: block with the SMTP reply", async () => {
	const found = ezweb(await fixture("ezweb-01.eml"));
	expect(rows(found)).toEqual([["rua@example.net", "failed", "5.0.0"]]);
	const first = found?.kind === "bounce" ? found.recipients[0] : undefined;
	expect(first?.diagnostic).toBe("550 <rua@example.net>: User unknown");
});

test("ezweb: a timed-out message is an expiry (4.4.7), held by decide()", async () => {
	expect(rows(ezweb(await fixture("ezweb-02.eml")))).toEqual([
		["rua@example.net", "failed", "4.4.7"],
	]);
});

test("ezweb: address alone above the quoted original, non-MIME", async () => {
	const found = ezweb(
		await mail([
			"From: <Postmaster@ezweb.ne.jp>",
			"Subject: Mail System Error - Returned Mail",
			"",
			"<rua@example.net>",
			"",
			"Each of the following recipients was rejected by a remote mail server.",
			"---------------------------------------------------",
			"From: dmarc-reports@sender.test",
			"To: other@example.com",
		]),
	);
	expect(rows(found)).toEqual([["rua@example.net", "failed", "5.0.0"]]);
});

test("ezweb: the same subject from another sender is not mine", async () => {
	const other = await mail([
		"From: postmaster@example.com",
		"Subject: Mail System Error - Returned Mail",
		"",
		"<rua@example.net>",
	]);
	expect(ezweb(other)).toBeUndefined();
});
