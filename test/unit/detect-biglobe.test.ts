import { expect, test } from "bun:test";
import { biglobe } from "../../src/detect/vendor/biglobe.ts";
import { fixture, rows } from "../support/detect.ts";

test("biglobe: addresses, then one reason for all", async () => {
	const found = biglobe(await fixture("biglobe-01.eml"));
	expect(rows(found)).toEqual([["rua@example.net", "failed", "5.2.2"]]);
});
