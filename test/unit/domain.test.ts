import { describe, expect, test } from "bun:test";
import { normalizeDomain } from "../../src/report/domain.ts";

const label = (n: number) => "a".repeat(n);

describe("normalizeDomain", () => {
	test.each([
		["example.org", "example.org"],
		["EXAMPLE.Org", "example.org"],
		["  example.org  ", "example.org"],
		["example.org.", "example.org"],
		["sub.mail.example.com", "sub.mail.example.com"],
		["ex-ample.test", "ex-ample.test"],
		["1example.org", "1example.org"],
		["123.example", "123.example"],
		// IDN (UTS #46): U-labels become lowercase A-labels
		["bücher.example", "xn--bcher-kva.example"],
		["BÜCHER.example", "xn--bcher-kva.example"],
		["пример.test", "xn--e1afmkfd.test"],
		["xn--bcher-kva.example", "xn--bcher-kva.example"],
		["XN--BCHER-KVA.EXAMPLE", "xn--bcher-kva.example"],
		// 63-character labels are the limit (RFC 1035 §2.3.4)
		[`${label(63)}.example`, `${label(63)}.example`],
	])("%p -> %p", (input, output) => {
		expect(normalizeDomain(input)).toBe(output);
	});

	test("253 characters are accepted, 254 are not", () => {
		const name = (length: number) => {
			// 3 x 63 + 4 dots + "test" = 197 characters around the fourth label
			return [
				label(63),
				label(63),
				label(63),
				label(length - 197),
				"test",
			].join(".");
		};
		expect(name(253)).toHaveLength(253);
		expect(normalizeDomain(name(253))).toBe(name(253));
		expect(normalizeDomain(name(254))).toBeUndefined();
	});

	test.each([
		["empty", ""],
		["only a dot", "."],
		["single label", "localhost"],
		["single label with trailing dot", "org."],
		["empty label (..)", "example..org"],
		["path traversal", "../../etc/passwd"],
		["dot-dot", ".."],
		["leading dot", ".example.org"],
		["two trailing dots", "example.org.."],
		["label over 63", `${label(64)}.example`],
		["over-long input", `${"a.".repeat(600)}example`],
		["leading hyphen", "-example.org"],
		["trailing hyphen", "example-.org"],
		["underscore", "ex_ample.org"],
		["space inside", "exa mple.org"],
		["slash", "example.org/evil"],
		["backslash", "example.org\\evil"],
		["NUL", "example.org\u0000.evil.test"],
		// WHATWG's domainToASCII silently deletes TAB, CR and LF and percent-decodes:
		// the input is not a host name and must not be rewritten into one (R16)
		["newline", "example.org\nfoo.test"],
		["tab inside", "exam\tple.org"],
		["percent-encoded dot", "bücher%2Eexample"],
		["at sign", "rua@example.org"],
		["wildcard", "*.example.org"],
		["colon", "example.org:25"],
		["IPv4 address", "192.0.2.1"],
		["numeric TLD", "example.123"],
		["address literal", "[192.0.2.1]"],
		["empty A-label", "xn--.example"],
		["A-label that is not valid Punycode", "xn--zz.example"],
	])("rejects %s", (_, input) => {
		expect(normalizeDomain(input)).toBeUndefined();
	});

	test("a valid result is always safe as a file name", () => {
		for (const input of ["EXAMPLE.org.", "bücher.example", "a-b.c-d.test"]) {
			const domain = normalizeDomain(input);
			expect(domain).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
			expect(domain).not.toContain("..");
		}
	});
});
