import { expect, test } from "bun:test";
import { exchange2003 } from "../../src/detect/vendor/exchange2003.ts";
import { fixture, mail, rows } from "../support/detect.ts";

test("exchange2003: prose notice, one entry per recipient", async () => {
	expect(rows(exchange2003(await fixture("exchange2003-01.eml")))).toEqual([
		["rua@example.net", "failed", "5.1.1"],
		["dmarc@Example.NET", "failed", "5.1.1"],
	]);
	expect(rows(exchange2003(await fixture("exchange2003-02.eml")))).toEqual([
		["rua@example.com", "failed", "5.1.1"],
	]);
});

test("exchange2003: the diagnostic is the text below the address", async () => {
	const found = exchange2003(await fixture("exchange2003-01.eml"));
	const second = found?.kind === "bounce" ? found.recipients[1] : undefined;
	expect(second?.diagnostic).toContain("550 5.1.1 dmarc@example.net");
	// the MTS-ID line mentions "the original message" but is not the returned copy
	const first = found?.kind === "bounce" ? found.recipients[0] : undefined;
	expect(first?.diagnostic).toBe(
		"The recipient name is not recognized MSEXCH:IMS:EXAMPLE:NET:MX1 0 (000C05A6) Unknown Recipient",
	);
});

test("exchange2003: an X.400 recipient (Exchange 5.5) names its Internet address in dda:SMTP", async () => {
	const found = exchange2003(
		await mail([
			"From: System Administrator <postmaster@example.net>",
			"Subject: Undeliverable: Report Domain: example.org",
			"",
			"Your message",
			"  To:      rua@example.net",
			"did not reach the following recipient(s):",
			"",
			"c=US;a= ;p=Example;o=Site;dda:SMTP=Rua@Example.NET; on Fri, 4 Oct 2002",
			"17:12:28 -0400",
			"    The recipient name is not recognized",
		]),
	);
	expect(rows(found)).toEqual([["Rua@Example.NET", "failed", "5.1.1"]]);
	const first = found?.kind === "bounce" ? found.recipients[0] : undefined;
	expect(first?.diagnostic).toBe("The recipient name is not recognized");
});
