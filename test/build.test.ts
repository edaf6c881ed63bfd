// scripts/build.ts: the source patches it applies while bundling keep the behaviour.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, SOURCE_PATCHES } from "../scripts/build.ts";
import { parseMessage } from "../src/mail/message.ts";

const ROOT = join(import.meta.dirname, "..");

describe("source patches", () => {
	test.each(SOURCE_PATCHES.map((p) => [p.name, p] as const))(
		"%s: the text is in the installed dependency",
		(_, patch) => {
			const text = readFileSync(join(ROOT, patch.path), "utf8");
			for (const [from] of patch.replace) expect(text).toContain(from);
		},
	);

	test("the patched Date check says what Date#toString said", () => {
		const patch = SOURCE_PATCHES.find((p) => p.name.includes("Date"));
		const [from, to] = patch?.replace[0] ?? ["", ""];
		const before = new Function("date", `return ${from};`);
		const after = new Function("date", `return ${to};`);
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

	// a notice whose second part is HTML only (read as text: entities decoded), with a Date
	const HTML = [
		"From: MAILER-DAEMON@example.net",
		"Date: Mon, 1 Jan 2024 00:00:00 +0000",
		"Subject: Undeliverable",
		'Content-Type: multipart/mixed; boundary="b"',
		"",
		"--b",
		"Content-Type: text/plain",
		"",
		"This is the mail system.",
		"--b",
		"Content-Type: text/html; charset=utf-8",
		"",
		"<p>Delivery to &lt;rua@example.net&gt; failed &amp; will not be retried&nbsp;&eacute;&#x41;</p>",
		"--b--",
		"",
	].join("\r\n");

	test("a binary built with them parses as the sources do", async () => {
		const dir = mkdtempSync(join(tmpdir(), "ddp-build-test-"));
		try {
			const entry = join(dir, "entry.ts");
			writeFileSync(
				entry,
				`import { parseMessage } from ${JSON.stringify(join(ROOT, "src", "mail", "message.ts"))};
parseMessage(${JSON.stringify(HTML)}).then((m) =>
	console.log(JSON.stringify({ text: m.text, headers: m.headers })),
);
`,
			);
			const outfile = join(dir, "bin");
			expect(await build({ entry, outfile, commit: "test" })).toBe(true);
			const run = spawnSync(outfile, [], { encoding: "utf8" });
			const expected = await parseMessage(HTML);
			expect(expected.text).toContain("<rua@example.net> failed & will");
			expect(JSON.parse(run.stdout)).toEqual({
				text: expected.text,
				headers: expected.headers,
			});
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}, 30_000);
});
