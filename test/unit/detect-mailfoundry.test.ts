import { expect, test } from "bun:test";
import { mailFoundry } from "../../src/detect/vendor/mailfoundry.ts";
import { fixture, mail, rows } from "../support/detect.ts";

test("mailfoundry: permanent failure", async () => {
	const found = mailFoundry(await fixture("mailfoundry-01.eml"));
	expect(rows(found)).toEqual([["rua@example.net", "failed", "5.0.0"]]);
});

test("mailfoundry: a temporary failure is a delay, never failed", async () => {
	const found = mailFoundry(
		await mail([
			"From: MAILER-DAEMON@example.net",
			"Subject: Message delivery has been delayed",
			"",
			"Unable to deliver message to: <rua@example.net>",
			"Delivery failed for the following reason:",
			"Server mx.example.net[192.0.2.25] failed with: 451 4.3.0 Try again later",
			"",
			"This is a temporary failure. Delivery will be retried.",
		]),
	);
	expect(rows(found)).toEqual([["rua@example.net", "delayed", "4.3.0"]]);
});
