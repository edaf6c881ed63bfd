import { expect, test } from "bun:test";
import { kddi } from "../../src/detect/vendor/kddi.ts";
import { fixture, rows } from "../support/detect.ts";

test("kddi: Could not be delivered to, reason below", async () => {
	const found = kddi(await fixture("kddi-01.eml"));
	expect(rows(found)).toEqual([["rua@example.net", "failed", "5.2.2"]]);
	const first = found?.kind === "bounce" ? found.recipients[0] : undefined;
	expect(first?.diagnostic).toBe("As their mailbox is full.");
});
