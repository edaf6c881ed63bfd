import { expect, test } from "bun:test";
import { mFilter } from "../../src/detect/vendor/mfilter.ts";
import { fixture, rows } from "../support/detect.ts";

test("mfilter: addresses above the server message", async () => {
	const found = mFilter(await fixture("mfilter-01.eml"));
	expect(rows(found)).toEqual([["rua@example.com", "failed", "5.1.1"]]);
	const first = found?.kind === "bounce" ? found.recipients[0] : undefined;
	expect(first?.diagnostic).toContain("User unknown");
});
