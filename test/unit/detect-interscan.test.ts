import { expect, test } from "bun:test";
import { interScan } from "../../src/detect/vendor/interscan.ts";
import { fixture, mail, rows } from "../support/detect.ts";

test("interscan: the SMTP exchange", async () => {
	expect(rows(interScan(await fixture("interscan-01.eml")))).toEqual([
		["rua@example.net", "failed", "5.1.1"],
	]);
});

test("interscan: Unable to deliver message to", async () => {
	expect(rows(interScan(await fixture("interscan-02.eml")))).toEqual([
		["rua@example.net", "failed", "5.0.0"],
	]);
});

test("interscan: a 4xx reply is a delay, never failed", async () => {
	const found = interScan(
		await mail([
			'From: "InterScan MSS" <postmaster@example.net>',
			"Subject: Mail could not be delivered",
			"",
			"Sent <<< RCPT TO:<rua@example.net>",
			"Received >>> 452 4.2.2 <rua@example.net>... mailbox busy",
		]),
	);
	expect(rows(found)).toEqual([["rua@example.net", "delayed", "4.2.2"]]);
});
