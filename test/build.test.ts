// scripts/build.ts: the source patches it applies while bundling keep the behaviour.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import {
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, SOURCE_PATCHES } from "../scripts/build.ts";
import { parseMessage } from "../src/mail/message.ts";

const ROOT = join(import.meta.dirname, "..");
const FIXTURES = join(ROOT, "test", "fixtures");

/** What the detectors see of a parsed message, content as hex (runs in the binary too). */
function summary(m: {
	headers: readonly { name: string; value: string }[];
	subject: string;
	text: string;
	parts: readonly {
		mimeType: string;
		filename: string | null;
		content: Uint8Array;
	}[];
}) {
	return {
		headers: m.headers,
		subject: m.subject,
		text: m.text,
		parts: m.parts.map((p) => ({
			mimeType: p.mimeType,
			filename: p.filename,
			content: Array.from(p.content, (b) =>
				b.toString(16).padStart(2, "0"),
			).join(""),
		})),
	};
}

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

	// what the readLine and Blob patches touch: line ends (CRLF, LF, CR runs, no final
	// newline) and each content decoder (none, base64, quoted-printable), text and binary
	const DECODERS = [
		"From: a@example.net\r\nSubject: parts\r\nMIME-Version: 1.0",
		'Content-Type: multipart/mixed; boundary="b"\r\n\r\npreamble\r\n--b',
		"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n",
		"caf=C3=A9 soft=\r\nbreak \r\r\n--b",
		"Content-Type: text/plain (a comment); charset=utf-8\r\n\r\nsecond text\r\n--b",
		'Content-Type: application/octet-stream (a comment); name="x(1).bin"\r\nContent-Transfer-Encoding: base64 (encoded)\r\n',
		"AAEC/wD+\r\nAQ==\r\n--b",
		"Content-Type: message/rfc822\r\n\r\nSubject: inner\n\nbody \u00e9\n\n\n--b",
		'Content-Type: application/gzip; name="r.xml.gz"\r\n\r\n\u0001\u0002 raw\r\n--b--\r\n\r\nepilogue',
	].join("\r\n");

	test("a binary built with them parses as the sources do", async () => {
		const dir = mkdtempSync(join(tmpdir(), "ddp-build-test-"));
		try {
			const entry = join(dir, "entry.ts");
			writeFileSync(
				entry,
				`import { readFileSync } from "node:fs";
import { parseMessage } from ${JSON.stringify(join(ROOT, "src", "mail", "message.ts"))};
${summary.toString()}
const inputs = JSON.parse(readFileSync(process.argv[2], "utf8"));
Promise.all(inputs.map((input) => parseMessage(new Uint8Array(input)).then(summary))).then((all) =>
	console.log(JSON.stringify(all)),
);
`,
			);
			const outfile = join(dir, "bin");
			expect(await build({ entry, outfile, commit: "test" })).toBe(true);
			const messages = [
				HTML,
				DECODERS,
				DECODERS.replaceAll("\r\n", "\n"),
				DECODERS.replaceAll("\r\n", "\r"),
				`${DECODERS}\r\n\r\n\r\n`,
				...readdirSync(FIXTURES)
					.filter((name) => name.endsWith(".eml"))
					.map((name) => readFileSync(join(FIXTURES, name), "latin1")),
			].map((text) => [...Buffer.from(text, "latin1")]);
			const input = join(dir, "inputs.json");
			writeFileSync(input, JSON.stringify(messages));
			const run = spawnSync(outfile, [input], {
				encoding: "utf8",
				maxBuffer: 1 << 28,
			});
			const expected = await Promise.all(
				messages.map((m) => parseMessage(new Uint8Array(m)).then(summary)),
			);
			expect(expected[0]?.text).toContain("<rua@example.net> failed & will");
			expect(expected[1]?.parts.map((p) => p.mimeType)).toEqual([
				"application/octet-stream",
				"message/rfc822",
				"application/gzip",
			]);
			expect(expected[1]?.parts[0]?.content).toBe("000102ff00fe01");
			expect(expected[1]?.parts[0]?.filename).toBe("x(1).bin");
			expect(expected[1]?.text).toContain("café soft");
			expect(expected[1]?.text).toContain("second text");
			expect(JSON.parse(run.stdout)).toEqual(expected);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}, 30_000);
});
