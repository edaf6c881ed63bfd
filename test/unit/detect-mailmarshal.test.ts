import { expect, test } from "bun:test";
import { mailMarshal } from "../../src/detect/vendor/mailmarshal.ts";
import { fixture, rows } from "../support/detect.ts";

test("mailmarshal: one reason, the affected recipients below it", async () => {
	const found = mailMarshal(await fixture("mailmarshal-01.eml"));
	expect(rows(found)).toEqual([
		["rua@example.com", "failed", "5.1.1"],
		["dmarc@example.com", "failed", "5.1.1"],
	]);
	const first = found?.kind === "bounce" ? found.recipients[0] : undefined;
	expect(first?.remoteMta).toBe("192.0.2.20");
	expect(first?.diagnostic).toBe("550 5.1.1 User unknown");
});
