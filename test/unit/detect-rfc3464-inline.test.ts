import { expect, test } from "bun:test";
import { rfc3464Inline } from "../../src/detect/generic/rfc3464-inline.ts";
import { fixture, ordinaryMail, rows } from "../support/detect.ts";

test("rfc3464-inline: RFC 3464 fields in a text part", async () => {
	const found = rfc3464Inline(await fixture("inline-01.eml"));
	expect(found?.detector).toBe("rfc3464-inline");
	expect(rows(found)).toEqual([["rua@example.net", "failed", "5.1.1"]]);
});

test("rfc3464-inline: not mine", async () => {
	const other = await ordinaryMail();
	expect(rfc3464Inline(other)).toBeUndefined();
});
