import { describe, expect, test } from "bun:test";
import { countDelimiterLines } from "../../src/mail/message.ts";
import { rawBodyText, repairBoundary } from "../../src/mail/repair.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined) =>
	b === undefined ? undefined : new TextDecoder("latin1").decode(b);

describe("repairBoundary", () => {
	test("the delimiter the body uses replaces a declared one it never uses", () => {
		const raw =
			'Content-Type: multipart/report; boundary="A"\n\n--B\nx\n--B\ny\n--B--\n';
		expect(dec(repairBoundary(enc(raw)))).toBe(
			'Content-Type: multipart/report; boundary="B"\n\n--B\nx\n--B\ny\n--B--\n',
		);
	});

	test("nothing to repair when the declared boundary occurs", () => {
		expect(
			repairBoundary(
				enc('Content-Type: multipart/mixed; boundary="A"\n\n--A\nx\n--A--\n'),
			),
		).toBeUndefined();
	});

	test("one stray '--' line is no delimiter", () => {
		expect(
			repairBoundary(
				enc('Content-Type: multipart/mixed; boundary="A"\n\n--sig\nbye\n'),
			),
		).toBeUndefined();
	});
});

test("rawBodyText: what follows the header block", () => {
	expect(rawBodyText(enc("Subject: x\r\n\r\nbody\r\n"))).toBe("body\r\n");
	expect(rawBodyText(enc("no header end"))).toBe("");
});

describe("countDelimiterLines", () => {
	test("counts lines that start with '--', the first line too, and stops past the limit", () => {
		expect(countDelimiterLines(enc("--a\nx\n--a\n-- sig\ny--z\n"), 10)).toBe(3);
		expect(countDelimiterLines(enc("--a\n".repeat(100)), 5)).toBe(6);
	});
});
