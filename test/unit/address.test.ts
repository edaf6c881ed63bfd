import { describe, expect, test } from "bun:test";
import {
	decodeAddressField,
	decodeUtf8AddrEscapes,
	stripAngles,
} from "../../src/dsn/address.ts";
import { keyHold, mapKeys, normalizeMailbox } from "../../src/dsn/mailbox.ts";

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

	// issue 12: Postfix writes `rfc822;dmarc+4711@bounce.test`; xtext belongs to ORCPT only
	test.each([
		["rfc822;dmarc+4711@bounce.test", "dmarc+4711@bounce.test"],
		["rfc822; dmarc+42abc@bounce.test", "dmarc+42abc@bounce.test"],
		["rfc822; a+2B7@bounce.test", "a+2B7@bounce.test"],
		["rfc822; a+5F5F@bounce.test", "a+5F5F@bounce.test"],
		["rfc822; a+2Fx@bounce.test", "a+2Fx@bounce.test"],
		["rfc822; rua+2Bdmarc@example.net", "rua+2Bdmarc@example.net"],
	])("an rfc822 address is not xtext: %p -> %p", (input, output) => {
		expect(decodeAddressField(input)).toBe(output);
	});

	// RFC 6533 §3: utf-8-addr-xtext and utf-8-addr-unitext escape with \x{...}, not +HH
	test.each([
		["utf-8; dmarc+4711@bounce.test", "dmarc+4711@bounce.test"],
		["utf-8; a\\x{2B}b@example.org", "a+b@example.org"],
		["utf-8; \\x{92D}\\x{93E}@example.org", "\u092d\u093e@example.org"],
	])("a utf-8 address decodes \\x{} only: %p -> %p", (input, output) => {
		expect(decodeAddressField(input)).toBe(output);
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

describe("issue 12: the key Postfix looks up", () => {
	test.each([
		["İnfo@example.org", "i\u0307nfo@example.org"],
		// RFC 6531: a Devanagari local part with combining marks (virama, vowel signs)
		["प्रतिवेदन@example.org", "प्रतिवेदन@example.org"],
		["-rua@x.example", "-rua@x.example"],
		["dmarc+4711@bounce.test", "dmarc+4711@bounce.test"],
		["rua@bücher.example", "rua@xn--bcher-kva.example"],
	])("normalizeMailbox(%p) = %p", (input, output) => {
		expect(normalizeMailbox(input)).toBe(output);
		expect(keyHold(output)).toBeNull();
	});

	test.each([
		["ﬁnance@x.example", "case-folding"],
		["straße@x.example", "case-folding"],
		["ſupport@x.example", "case-folding"],
		["ΣΑΣ@x.example", "case-folding"],
		["#hash@x.example", "map-comment"],
	])("%p is held: %p", (input, reason) => {
		const key = normalizeMailbox(input);
		expect(key).toBeDefined();
		expect(keyHold(key ?? "")).toBe(reason);
	});

	test("an A-label domain is keyed under both forms", () => {
		expect(mapKeys("rua@xn--bcher-kva.example")).toEqual([
			"rua@xn--bcher-kva.example",
			"rua@bücher.example",
		]);
		expect(mapKeys("rua@example.org")).toEqual(["rua@example.org"]);
		// postmap would fold straße.de into strasse.de, another domain: A-label only
		const strasse = normalizeMailbox("rua@straße.de") ?? "";
		expect(strasse).toBe("rua@xn--strae-oqa.de");
		expect(mapKeys(strasse)).toEqual([strasse]);
	});

	test("the dotless ı does not fold (Turkic only): not held", () => {
		expect(keyHold(normalizeMailbox("ılık@example.org") ?? "")).toBeNull();
	});
});
