import { describe, expect, test } from "bun:test";
import { verpRecipient } from "../../src/verp.ts";

describe("verpRecipient", () => {
	test.each([
		["rua=bounce.test", "rua@bounce.test"],
		["RUA=Bounce.TEST", "rua@bounce.test"],
		["rua+dmarc=example.net", "rua+dmarc@example.net"],
		// split on the LAST "=": local parts may hold "=" themselves
		["re=port=error.test", "re=port@error.test"],
		["a=b=c=example.org", "a=b=c@example.org"],
		["jörg=bücher.example", "jörg@xn--bcher-kva.example"],
	])("%p -> %p", (extension, address) => {
		expect(verpRecipient(extension)).toBe(address);
	});

	test.each([
		["empty (no VERP)", ""],
		["no =", "ruabounce.test"],
		["empty local part", "=bounce.test"],
		["empty domain", "rua="],
		["single-label domain", "rua=localhost"],
		["domain with a further =", "rua=bounce=.test"],
		["white space", "rua =bounce.test"],
		["extension with a space", "rua=bounce.test discard:x"],
		["@ already in it", "rua@x=bounce.test"],
		["wildcard", "*=example.org"],
		["path traversal", "rua=../../etc"],
		["line break", "rua=bounce.test\nfoo=bar.test"],
		["NUL", "rua\u0000=bounce.test"],
	])("rejects %s", (_, extension) => {
		expect(verpRecipient(extension)).toBeUndefined();
	});
});
