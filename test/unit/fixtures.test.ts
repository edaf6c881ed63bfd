import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decide } from "../../src/decide.ts";
import type { Expected } from "../fixtures/make-fixtures.ts";

const DIR = join(import.meta.dirname, "..", "fixtures");

const NAMES = readdirSync(DIR)
	.filter((f) => f.endsWith(".eml"))
	.map((f) => f.slice(0, -".eml".length))
	.sort();

test("the fixture folder is not empty", () => {
	expect(NAMES.length).toBeGreaterThanOrEqual(30);
});

for (const name of NAMES) {
	test(name, async () => {
		const expected = JSON.parse(
			readFileSync(join(DIR, `${name}.json`), "utf8"),
		) as Expected;
		const decision = await decide(
			readFileSync(join(DIR, `${name}.eml`)),
			expected.extension,
		);
		const addresses = (suppress: boolean) =>
			decision.recipients
				.filter((r) => r.suppress === suppress)
				.map((r) => r.address)
				.sort();
		const actual: Expected = {
			extension: expected.extension,
			outcome: decision.outcome,
			reason: decision.reason,
			report_domain: decision.report_domain,
			failed: addresses(true),
			not_failed: addresses(false),
		};
		expect(actual).toEqual(expected);
		// R16/R19, whatever the fixture: keys are full lowercase mailboxes without
		// white space or controls, and the report domain is safe as a file name
		for (const key of addresses(true)) {
			expect(key).toMatch(/^[^\s@*]+@[a-z0-9.-]+$/u);
			expect(key).toBe(key.toLowerCase());
		}
		if (decision.report_domain !== null)
			expect(decision.report_domain).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
	});
}

test("rfc3464-01 keeps its CRLF line endings byte-exact", () => {
	const text = readFileSync(join(DIR, "rfc3464-01.eml"), "latin1");
	expect(text).toContain("\r\n");
	expect(text.replaceAll("\r\n", "")).not.toContain("\n");
});
