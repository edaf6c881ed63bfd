import { describe, expect, test } from "bun:test";
import { htmlText } from "../../src/mail/html.ts";
import { fixture } from "../support/detect.ts";

describe("htmlText: HTML-only notices read as text", () => {
	test("line breaks where the markup breaks lines, tags dropped, entities decoded", () => {
		expect(
			htmlText(
				"<html><head><title>x@y.test</title></head><body><P>did not reach:<BR>rua@example.net&nbsp;&lt;550&gt; &amp; &#233;&#x41;</P></body></html>",
			),
		).toBe("did not reach:\nrua@example.net <550> & éA");
	});

	test("nothing from nothing", () => {
		expect(htmlText(undefined)).toBe("");
		expect(htmlText("")).toBe("");
	});

	test("an HTML-only notice's text reaches the detectors", async () => {
		const message = await fixture("html-01.eml");
		expect(message.text).toContain(
			"rua@bounce.test on Mon, 1 Jan 2024 00:00:54 +0000",
		);
		expect(message.text).not.toContain("<BR>");
	});
});
