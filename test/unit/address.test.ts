import { describe, expect, test } from "bun:test";
import {
	decodeAddressField,
	decodeUtf8AddrEscapes,
	decodeXtext,
	stripAngles,
} from "../../src/dsn/address.ts";
import { normalizeMailbox } from "../../src/dsn/mailbox.ts";

describe("decodeAddressField", () => {
	test.each([
		["rfc822; rua@example.net", "rua@example.net"],
		["rfc822;rua@example.net", "rua@example.net"],
		["RFC822 ;  rua@example.net", "rua@example.net"],
		["rfc822; <rua@example.net>", "rua@example.net"],
		["<rua@example.net>", "rua@example.net"],
		["rua@example.net", "rua@example.net"],
		["rfc822; rua@example.net (as sent)", "rua@example.net"],
		["rfc822; (note) <rua@example.net>", "rua@example.net"],
		['rfc822; "DMARC Reports" <rua@example.net>', "rua@example.net"],
		["rfc822; <mailto:rua@example.net>", "rua@example.net"],
		["utf-8; j\\x{00F6}rg@b\\x{00FC}cher.example", "jörg@bücher.example"],
		["UTF-8; \\x{1F600}@example.org", "😀@example.org"],
		["utf-8; рапорт@пример.test", "рапорт@пример.test"],
		["", ""],
	])("%p -> %p", (input, output) => {
		expect(decodeAddressField(input)).toBe(output);
	});

	test("xtext is decoded only when asked (Original-Recipient, RFC 3461 §4.2)", () => {
		expect(decodeAddressField("rfc822; rua+2Bdmarc@example.net")).toBe(
			"rua+2Bdmarc@example.net",
		);
		expect(
			decodeAddressField("rfc822; rua+2Bdmarc@example.net", { xtext: true }),
		).toBe("rua+dmarc@example.net");
		expect(
			decodeAddressField("rfc822; <a+3Db@example.net>", { xtext: true }),
		).toBe("a=b@example.net");
	});

	test("\\x{...} escapes are only decoded for the utf-8 type", () => {
		expect(decodeAddressField("rfc822; j\\x{00F6}rg@example.org")).toBe(
			"j\\x{00F6}rg@example.org",
		);
	});

	test("an unknown type is stripped, the address kept", () => {
		expect(decodeAddressField("x-local; rua@example.net")).toBe(
			"rua@example.net",
		);
	});
});

describe("stripAngles", () => {
	test.each([
		["<a@example.org>", "a@example.org"],
		["  a@example.org  ", "a@example.org"],
		["<a@example.org> trailing junk", "a@example.org"],
		["Name <a@example.org>", "a@example.org"],
		["MAILTO:a@example.org", "a@example.org"],
	])("%p -> %p", (input, output) => {
		expect(stripAngles(input)).toBe(output);
	});
});

describe("decodeXtext", () => {
	test.each([
		["rua+2Bdmarc@example.net", "rua+dmarc@example.net"],
		["a+3Db@example.net", "a=b@example.net"],
		["+2B+2B@example.net", "++@example.net"],
		// RFC 3461 §4: hex is upper case; lower case is not xtext and stays as is
		["rua+2bdmarc@example.net", "rua+2bdmarc@example.net"],
		// a "+" not followed by two hex digits is literal
		["rua+dmarc@example.net", "rua+dmarc@example.net"],
		["rua+@example.net", "rua+@example.net"],
		// UTF-8 bytes encoded one by one decode to one character
		["j+C3+B6rg@example.org", "jörg@example.org"],
		["plain@example.org", "plain@example.org"],
	])("%p -> %p", (input, output) => {
		expect(decodeXtext(input)).toBe(output);
	});
});

describe("decodeUtf8AddrEscapes", () => {
	test.each([
		["j\\x{00F6}rg@example.org", "jörg@example.org"],
		["\\x{F6}@example.org", "ö@example.org"],
		["\\x{00f6}@example.org", "ö@example.org"],
		["\\x{1F600}@example.org", "😀@example.org"],
		["\\x{10FFFF}", "\u{10FFFF}"],
		// beyond Unicode or malformed: left untouched
		["\\x{110000}@example.org", "\\x{110000}@example.org"],
		["\\x{}@example.org", "\\x{}@example.org"],
		["\\x{1234567}@example.org", "\\x{1234567}@example.org"],
		["\\x00F6@example.org", "\\x00F6@example.org"],
		["no-escapes@example.org", "no-escapes@example.org"],
	])("%p -> %p", (input, output) => {
		expect(decodeUtf8AddrEscapes(input)).toBe(output);
	});
});

describe("normalizeMailbox", () => {
	test.each([
		["rua@example.net", "rua@example.net"],
		["RUA@Example.NET", "rua@example.net"],
		["  rua@example.net  ", "rua@example.net"],
		["rua@example.net.", "rua@example.net"],
		["rua+dmarc@example.net", "rua+dmarc@example.net"],
		["first.last@sub.example.com", "first.last@sub.example.com"],
		["a=b@example.net", "a=b@example.net"],
		["Jörg@Bücher.example", "jörg@xn--bcher-kva.example"],
		["rua@BÜCHER.example", "rua@xn--bcher-kva.example"],
		// RFC 5321 §4.1.2: a local part that is no Dot-string is written quoted
		['"Neko..Nyaan."@Example.JP', '"neko..nyaan."@example.jp'],
		["neko..nyaan.@example.jp", '"neko..nyaan."@example.jp'],
		[".a@example.org", '".a"@example.org'],
		['"rua"@example.net', "rua@example.net"],
		['"r\\ua"@example.net', "rua@example.net"],
	])("%p -> %p", (input, output) => {
		expect(normalizeMailbox(input)).toBe(output);
	});

	test.each([
		["bare domain", "example.org"],
		["domain only", "@example.org"],
		["wildcard", "*@example.org"],
		["no domain", "rua@"],
		["single-label domain", "rua@localhost"],
		["address literal", "rua@[192.0.2.1]"],
		["IP address", "rua@192.0.2.1"],
		["white space", "evil@example.org discard:x"],
		["map injection", "evil@example.org discard:x\nfoo@bar.example"],
		["space in local part", "a b@example.org"],
		["NUL", "rua\u0000@example.net"],
		["control character", "rua\u0007@example.net"],
		["quoted local part", '"a b"@example.org'],
		["colon", "a:b@example.org"],
		["comma", "a,b@example.org"],
		["angle brackets", "<a@example.org>"],
		["quoted @", '"a@b"@example.org'],
		["quoted quote", '"a\\"b"@example.org'],
		["quoted backslash", '"a\\\\b"@example.org'],
		["unterminated quote", '"a..b@example.org'],
		["empty quotes", '""@example.org'],
		["two @", "a@b@example.org"],
		["local part over 64", `${"a".repeat(65)}@example.org`],
		["path traversal domain", "a@../../etc/passwd"],
		["empty", ""],
		[
			"over 320 characters",
			`a@${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.${"e".repeat(60)}.${"f".repeat(60)}.example`,
		],
	])("rejects %s", (_, input) => {
		expect(normalizeMailbox(input)).toBeUndefined();
	});

	test("a local part of exactly 64 characters is accepted", () => {
		const local = "a".repeat(64);
		expect(normalizeMailbox(`${local}@example.org`)).toBe(
			`${local}@example.org`,
		);
	});
});

test("normalizeMailbox: a decomposed (NFD) address is the composed one", () => {
	expect(normalizeMailbox("Jose\u0301@example.org")).toBe(
		"jos\u00e9@example.org",
	);
	expect(normalizeMailbox("rua@bu\u0308cher.example")).toBe(
		"rua@xn--bcher-kva.example",
	);
});
