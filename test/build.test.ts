// scripts/build.ts: the source patches it applies while bundling keep the behaviour.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SOURCE_PATCHES } from "../scripts/build.ts";

const ROOT = join(import.meta.dirname, "..");

describe("source patches", () => {
	test.each(SOURCE_PATCHES.map((p) => [p.name, p]))(
		"%s: the text is in the installed dependency",
		(_, patch) => {
			const file = join(
				ROOT,
				"node_modules/postal-mime/dist/esm/postal-mime.js",
			);
			expect(patch.file.test(file)).toBe(true);
			expect(readFileSync(file, "utf8")).toContain(patch.from);
		},
	);

	test("the patched Date check says what Date#toString said", () => {
		const [patch] = SOURCE_PATCHES;
		if (!patch) throw new Error("no Date patch");
		const before = new Function("date", `return ${patch.from};`);
		const after = new Function("date", `return ${patch.to};`);
		const values = [
			"Mon, 1 Jan 2024 00:00:00 +0000",
			"Sat, 28 Nov 2026 06:43:22 +0000 (UTC)",
			"2024-01-01T00:00:00Z",
			"not a date",
			"",
			"Mon, 32 Jan 2024 00:00:00 +0000",
			"Thu, 01 Jan 1970 00:00:00 GMT",
			"Tue, 31 Dec 275760 00:00:00 +0000",
		];
		for (const value of values) {
			const date = new Date(value);
			expect(after(date)).toBe(before(date));
		}
	});
});
