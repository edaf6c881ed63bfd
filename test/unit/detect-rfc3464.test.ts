import { expect, test } from "bun:test";
import { rfc3464 } from "../../src/detect/standard/rfc3464.ts";
import { fixture, ordinaryMail, rows } from "../support/detect.ts";

test("rfc3464: a multipart/report's delivery-status part (RFC 3464)", async () => {
	const found = rfc3464(await fixture("rfc3464-01.eml"));
	expect(found?.detector).toBe("rfc3464");
	expect(rows(found)).toEqual([
		["rua+dmarc@mx.example.net", "failed", "5.1.1"],
	]);
});

test("rfc3464: not mine", async () => {
	const other = await ordinaryMail();
	expect(rfc3464(other)).toBeUndefined();
});
