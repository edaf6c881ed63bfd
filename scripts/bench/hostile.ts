// Hostile messages for test/limits.test.ts and seeds for the fuzzer: pathological MIME
// (depth, breadth, endless boundaries, huge headers), bad encodings, NUL bytes, and report
// attachments that are truncated or decompression bombs. Each is built around a real
// Postfix DSN, so a robust reader still finds the failure where one is left to find.
import { gzipSync } from "node:zlib";
import { zipSync } from "fflate";
import { base64Lines, dsnOfSize, postfixDsn, reportXml } from "./messages.ts";

const FAILED = [{ address: "rua@example.net" }];

/** The plain DSN that the hostile variants start from. */
export function plainDsn(): string {
	return postfixDsn({ recipients: FAILED });
}

/** `depth` nested multipart/mixed levels around the DSN's parts. */
export function deepMultipart(depth: number): string {
	let body = plainDsn();
	for (let i = 0; i < depth; i++) {
		body = `Content-Type: multipart/mixed; boundary="n${i}"

--n${i}
${body}
--n${i}--
`;
	}
	return `From: MAILER-DAEMON@sender.test\nSubject: nested\nMIME-Version: 1.0\n${body}`;
}

/** The DSN returned inside itself `depth` times (message/rfc822 in message/rfc822 ...). */
export function deepRfc822(depth: number): string {
	let body = plainDsn();
	for (let i = 0; i < depth; i++) {
		body = `From: MAILER-DAEMON@sender.test
Subject: level ${i}
MIME-Version: 1.0
Content-Type: message/rfc822

${body}`;
	}
	return body;
}

/** A multipart/report with `n` extra text parts before the delivery status. */
export function manyParts(n: number): string {
	const dsn = plainDsn();
	const boundary = /boundary="([^"]+)"/.exec(dsn)?.[1] ?? "";
	const extra = Array.from(
		{ length: n },
		(_, i) => `--${boundary}\nContent-Type: text/plain\n\npart ${i}\n`,
	).join("");
	return dsn.replace(`--${boundary}\n`, `${extra}--${boundary}\n`);
}

export function manyRecipients(n: number): string {
	return postfixDsn({
		recipients: Array.from({ length: n }, (_, i) => ({
			address: `rua${i}@r${i}.example.net`,
		})),
	});
}

/** One header line of `bytes` bytes before the DSN's own headers. */
export function hugeHeader(bytes: number, folded = false): string {
	const unit = folded ? "x\n " : "x";
	return `X-Huge: ${unit.repeat(Math.ceil(bytes / unit.length))}\n${plainDsn()}`;
}

export function manyHeaders(n: number): string {
	const lines = Array.from({ length: n }, (_, i) => `X-H${i}: v${i}\n`);
	return `${lines.join("")}${plainDsn()}`;
}

/** The DSN's boundary repeated `n` times: that many empty parts. */
export function endlessBoundaries(n: number, closed = true): string {
	const dsn = plainDsn();
	const boundary = /boundary="([^"]+)"/.exec(dsn)?.[1] ?? "";
	const repeated = `--${boundary}\n`.repeat(n);
	const body = dsn.replace(`--${boundary}\n`, `${repeated}--${boundary}\n`);
	return closed ? body : body.replace(`--${boundary}--\n`, "");
}

/** Every part declares a new multipart with the same boundary, `depth` times, never closed. */
export function sameBoundaryNesting(depth: number): string {
	const part = `--b\nContent-Type: multipart/mixed; boundary="b"\n\n`;
	return `From: MAILER-DAEMON@sender.test
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

${part.repeat(depth)}`;
}

/** A boundary of `length` characters that is also a prefix of every other line. */
export function longBoundary(length: number): string {
	const dsn = plainDsn();
	const boundary = /boundary="([^"]+)"/.exec(dsn)?.[1] ?? "";
	return dsn.replaceAll(boundary, "b".repeat(length));
}

export const BAD_ENCODINGS: Readonly<Record<string, string>> = {
	"invalid base64 delivery status": plainDsn().replace(
		"Content-Type: message/delivery-status\n",
		"Content-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n",
	),
	"quoted-printable with broken escapes": plainDsn()
		.replace(
			"Content-Type: message/delivery-status\n",
			"Content-Type: message/delivery-status\nContent-Transfer-Encoding: quoted-printable\n",
		)
		.replace("Action: failed", "Action: fa=ZZiled=\n=4=\n=="),
	"unknown charsets everywhere": plainDsn().replaceAll(
		"charset=us-ascii",
		'charset="x-no-such-charset"',
	),
	"utf-16 text with an odd byte count": plainDsn().replace(
		"charset=us-ascii",
		"charset=utf-16",
	),
	"RFC 2047 words with bad base64 and unknown charsets": plainDsn().replace(
		"Subject: Report Domain:",
		"Subject: =?x-bogus?B?!!!?= =?utf-8?Q?=ZZ=?= =?utf-8?B?4pyT?=Report Domain:",
	),
	"transfer encoding x-uuencode and garbage": plainDsn()
		.replace(
			"Content-Transfer-Encoding: base64",
			"Content-Transfer-Encoding: x-uuencode",
		)
		.replace(
			"Content-Type: text/plain; charset=us-ascii",
			"Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: \u00ff\u00fe",
		),
};

/** Latin-1 text to bytes, one byte per character (keeps 0x80-0xff and NUL as is). */
export function latin1(text: string): Uint8Array {
	return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

/** Invalid UTF-8 and 8-bit bytes in headers, addresses and the returned subject. */
export function invalidUtf8(): Uint8Array {
	return latin1(
		plainDsn()
			.replace(
				"Subject: Undelivered",
				"Subject: \xc3\x28\xa0\xa1\xff Undelivered",
			)
			.replace(
				"Final-Recipient: rfc822; rua@example.net",
				"Final-Recipient: rfc822; r\xfc\xe4@example.net",
			),
	);
}

/** NUL bytes in header names and values, the boundary, the DSN fields and the body. */
export function nulBytes(): Uint8Array {
	const dsn = plainDsn();
	const boundary = /boundary="([^"]+)"/.exec(dsn)?.[1] ?? "";
	return latin1(
		dsn
			.replace("Subject: Undelivered", "Sub\0ject: Undel\0ivered")
			.replaceAll(boundary, `${boundary}\0`)
			.replace("Action: failed", "Action: fa\0iled\0")
			.replace("rua@example.net", "rua\0@example.net")
			.replace("This is the mail system", "\0\0\0This is the mail system"),
	);
}

// ---- report attachments: truncated, and bombs ----

/** A DSN whose returned report names its domain only in the attachment's XML. */
export function dsnWithReport(
	attachment: Uint8Array,
	type = "application/gzip",
): string {
	return postfixDsn({
		recipients: FAILED,
		domain: null,
		filename: null,
		attachment,
		attachmentType: type,
	});
}

export function truncatedGzip(): string {
	const gz = gzipSync(reportXml("example.org", 200));
	return dsnWithReport(gz.subarray(0, Math.floor(gz.length / 3)));
}

export function truncatedZip(): string {
	const zip = zipSync({
		"report.xml": new TextEncoder().encode(reportXml("example.org", 200)),
	});
	return dsnWithReport(
		zip.subarray(0, Math.floor(zip.length / 2)),
		"application/zip",
	);
}

/**
 * A raw deflate stream (RFC 1951) that inflates to `megabytes` MB of zeros: one block
 * with the fixed Huffman code, a literal 0, then matches of length 258 at distance 1,
 * 13 bits each (159:1; zlib's dynamic codes reach 1032:1). Built bit by bit, so even
 * gigabytes cost the test little. Decoders must stop at their own output limit: one
 * that decodes the whole stream into a small buffer spends time on every byte.
 */
export function zeros(megabytes: number): Buffer {
	const total = megabytes * 1024 * 1024;
	const matches = Math.floor((total - 1) / 258);
	const literals = total - 1 - matches * 258;
	const out = Buffer.alloc(
		Math.ceil((3 + 8 + matches * 13 + literals * 8 + 7) / 8) + 1,
	);
	let bit = 0;
	const put = (value: number, n: number) => {
		for (let i = 0; i < n; i++, bit++)
			if ((value >> i) & 1)
				out[bit >> 3] = (out[bit >> 3] ?? 0) | (1 << (bit & 7));
	};
	// Huffman codes go most significant bit first
	const code = (value: number, n: number) => {
		let reversed = 0;
		for (let i = 0; i < n; i++) reversed |= ((value >> i) & 1) << (n - 1 - i);
		put(reversed, n);
	};
	put(1, 1); // BFINAL
	put(1, 2); // BTYPE 01: fixed Huffman codes
	code(0x30, 8); // literal 0
	for (let i = 0; i < matches; i++) {
		code(0xc5, 8); // length code 285: 258
		code(0, 5); // distance code 0: 1
	}
	for (let i = 0; i < literals; i++) code(0x30, 8);
	code(0, 7); // end of block
	return out.subarray(0, Math.ceil(bit / 8));
}

/** A gzip member that inflates to `megabytes` MB (its trailer does not match). */
export function gzipBomb(megabytes: number): string {
	const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]);
	return dsnWithReport(
		Buffer.concat([header, zeros(megabytes), Buffer.alloc(8)]),
	);
}

/**
 * A zip whose one entry declares `declared` bytes but inflates to `megabytes` MB: a
 * reader that trusts the declared size before inflating is fooled.
 */
export function zipBomb(megabytes: number, declared = 1000): string {
	const name = Buffer.from("report.xml");
	const data = zeros(megabytes);
	const crc = 0;
	const local = Buffer.alloc(30);
	local.writeUInt32LE(0x04034b50, 0);
	local.writeUInt16LE(20, 4);
	local.writeUInt16LE(8, 8); // deflate
	local.writeUInt32LE(crc, 14);
	local.writeUInt32LE(data.length, 18);
	local.writeUInt32LE(declared, 22);
	local.writeUInt16LE(name.length, 26);
	const central = Buffer.alloc(46);
	central.writeUInt32LE(0x02014b50, 0);
	central.writeUInt16LE(20, 4);
	central.writeUInt16LE(20, 6);
	central.writeUInt16LE(8, 10);
	central.writeUInt32LE(crc, 16);
	central.writeUInt32LE(data.length, 20);
	central.writeUInt32LE(declared, 24);
	central.writeUInt16LE(name.length, 28);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(1, 8);
	end.writeUInt16LE(1, 10);
	end.writeUInt32LE(central.length + name.length, 12);
	end.writeUInt32LE(local.length + name.length + data.length, 16);
	return dsnWithReport(
		Buffer.concat([local, name, data, central, name, end]),
		"application/zip",
	);
}

/** A zip of `n` entries (each a small XML file). */
export function zipManyEntries(n: number): string {
	const files: Record<string, Uint8Array> = {};
	const xml = new TextEncoder().encode(reportXml("example.org", 1));
	for (let i = 0; i < n; i++) files[`r${i}.xml`] = xml;
	return dsnWithReport(zipSync(files, { level: 1 }), "application/zip");
}

/** The report as base64 text of base64 text of ... (`depth` times). */
export function nestedBase64(depth: number): string {
	let data: Uint8Array = gzipSync(reportXml("example.org", 2));
	for (let i = 0; i < depth; i++)
		data = new TextEncoder().encode(base64Lines(data));
	return dsnWithReport(data);
}

// ---- issue 11: the attacks, each at a chosen size (scripts/bench/hostile.ts main) ----

/** The plain DSN with `text` put into its notification part, before the mail system's line. */
export function inNotice(text: string, dsn = plainDsn()): string {
	const marker = "This is the mail system";
	return dsn.replace(marker, `${text}\n${marker}`);
}

/** Ordinary text lines of about `bytes` bytes, to bring a message to a size. */
export function filler(bytes: number): string {
	const line = `${"lorem ipsum dolor sit amet ".repeat(3).trim()}\n`;
	return line.repeat(Math.max(0, Math.ceil(bytes / line.length)));
}

/**
 * Attack 1: a `mtaBytes` Reporting-MTA and `n` failed recipients, all named in the
 * returned To (the generator of postfixDsn does), so only the recipient cap stops it.
 */
export function crowd(n: number, mtaBytes: number): string {
	return manyRecipients(n).replace(
		"Reporting-MTA: dns; mail.sender.test",
		`Reporting-MTA: dns; ${"m".repeat(mtaBytes)}`,
	);
}

/**
 * Attack 5: `token` repeated to `bytes` bytes in the notice (a pattern's own token), in
 * a DSN that names no report domain anywhere else, so every fallback reads the text.
 */
export function tokenRun(token: string, bytes: number, tail = ""): string {
	return inNotice(
		token.repeat(Math.ceil(bytes / token.length)) + tail,
		bareDsn(),
	);
}

/** A Postfix DSN whose returned headers name no report domain (headers only, no Subject). */
export function bareDsn(): string {
	return postfixDsn({ recipients: FAILED, domain: null, headersOnly: true });
}

/**
 * Attack 5: a mailer-daemon notice with no delivery report whose text is `token`
 * repeated to `bytes` bytes: every text detector reads it. With `token` ending in a
 * lone CR, each is a line start for a /m pattern but no line end for `[^\n]*`.
 */
export function noticeRun(token: string, bytes: number): string {
	return `From: MAILER-DAEMON@sender.test
Subject: failure notice
To: dmarc-reports@sender.test

Hi. This is the qmail-send program at sender.test.
${token.repeat(Math.ceil(bytes / token.length))}
`;
}

/** Attack 5: the failed recipient's Diagnostic-Code folded over `lines` lines. */
export function deepFolding(lines: number): string {
	return plainDsn().replace(
		"    User unknown",
		`    User unknown${"\n x".repeat(lines)}`,
	);
}

/** Attack 5: a gzip report whose XML is `<domain` repeated to `bytes` bytes, no `>`. */
export function xmlDomainRun(bytes: number): string {
	const xml = `<feedback><policy_published>${"<domain".repeat(Math.ceil(bytes / 7))}`;
	return dsnWithReport(gzipSync(xml, { level: 9 }));
}

/**
 * Attack 6: a returned original nested `depth` multiparts deep (postal-mime stops at
 * 32 levels: the whole message is unparsable), padded with `pad` bytes of notice text.
 */
export function deepReturned(depth: number, pad = 0): string {
	let body = "Content-Type: text/plain\n\nreport\n";
	for (let i = 0; i < depth; i++)
		body = `Content-Type: multipart/mixed; boundary="r${i}"\n\n--r${i}\n${body}\n--r${i}--\n`;
	const original = `From: DMARC Reports <dmarc-reports@sender.test>
To: rua@example.net
Subject: Report Domain: example.org Submitter: sender.test Report-ID: <x@sender.test>
MIME-Version: 1.0
${body}`;
	return inNotice(filler(pad), withReturned(original));
}

/** Attack 6: `n` header lines in the returned original. */
export function returnedHeaders(n: number): string {
	const lines = Array.from({ length: n }, (_, i) => `X-H${i}: v${i}\n`).join(
		"",
	);
	return withReturned(
		`${lines}From: DMARC Reports <dmarc-reports@sender.test>
To: rua@example.net
Subject: Report Domain: example.org Submitter: sender.test Report-ID: <x@sender.test>

report
`,
	);
}

/** The plain DSN with its returned message/rfc822 part replaced by `original`. */
export function withReturned(original: string): string {
	const dsn = plainDsn();
	const start = dsn.indexOf("Content-Description: Undelivered Message");
	const boundary = /boundary="([^"]+)"/.exec(dsn)?.[1] ?? "";
	return `${dsn.slice(0, start)}Content-Description: Undelivered Message
Content-Type: message/rfc822

${original}
--${boundary}--
`;
}

/** Attack 9: junk mail to the report address, `bytes` bytes of it. */
export function junk(bytes: number): string {
	return `From: someone@spam.test\nSubject: buy now\n\n${filler(bytes)}`;
}

/**
 * The hostile inputs of the benchmark table, each made about `bytes` bytes large (the
 * XML run is its decompressed size; the message itself is small).
 */
export const ATTACKS: Readonly<
	Record<string, (bytes: number) => string | Uint8Array>
> = {
	"1: Reporting-MTA + 2,000 recipients": (bytes) =>
		crowd(2000, Math.max(0, bytes - crowd(2000, 0).length)),
	"5: `reportdomain:` run in the notice": (bytes) =>
		tokenRun("reportdomain:", bytes, "<"),
	"5: a DSN field folded over many lines": (bytes) =>
		deepFolding(Math.ceil(bytes / 3)),
	"5: gzip report of `<domain` repeated": (bytes) => xmlDomainRun(bytes),
	"5: `Final-Recipient:` lines in the notice": (bytes) =>
		tokenRun("Final-Recipient:\n", bytes),
	"5: `<@` + `@:` run in the notice": (bytes) =>
		tokenRun("@:", bytes).replace("@:", "<@@:"),
	"5: a run of `-` in the notice": (bytes) => tokenRun("-", bytes),
	"5: CR-separated lines in a plain notice": (bytes) =>
		noticeRun("Content-Type: multipart/report\r", bytes),
	"5: newlines in a plain notice": (bytes) => noticeRun("\n", bytes / 20),
	"6: returned original 41 levels deep": (bytes) => deepReturned(41, bytes),
	"6: 100k+ header lines in the returned original": (bytes) =>
		returnedHeaders(Math.max(100_000, Math.ceil(bytes / 12))),
	"9: junk mail": (bytes) => junk(bytes),
	"large report attachment": (bytes) => dsnOfSize(bytes),
};

// ---- bun scripts/bench/hostile.ts [--before BIN] [--after BIN] [--timeout MS] ----
// Runs every ATTACKS generator at 1 MB and 10 MB through the binary of commit
// c8d7a0a (before issue 11; built from `git archive` unless --before names one) and
// the current tree's (--after), each in the sandbox of scripts/bench/sandbox.ts, and
// writes the table between the `section:hostile` markers at the end of BENCHMARKS.md.

if (import.meta.main) {
	const { spawnSync } = await import("node:child_process");
	const { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } =
		await import("node:fs");
	const { tmpdir, cpus } = await import("node:os");
	const { join } = await import("node:path");
	const { parseArgs } = await import("node:util");
	const { checkedIngest } = await import("./sandbox.ts");

	const ROOT = join(import.meta.dir, "..", "..");
	const BEFORE = "c8d7a0a";
	const { values } = parseArgs({
		options: {
			before: { type: "string" },
			after: { type: "string" },
			timeout: { type: "string", default: "30000" },
		},
	});
	const timeoutMs = Number(values.timeout);
	const scratch = mkdtempSync(join(tmpdir(), "ddp-hostile-bench-"));

	/** Compiles `commit` (or the work tree) with that tree's own scripts/build.ts. */
	const build = (commit: string | undefined): string => {
		const out = join(scratch, `bin-${commit ?? "tree"}`);
		let cwd = ROOT;
		if (commit) {
			cwd = join(scratch, `src-${commit}`);
			spawnSync("mkdir", ["-p", cwd]);
			const tar = spawnSync(
				"sh",
				["-c", `git archive ${commit} | tar -x -C ${cwd}`],
				{ cwd: ROOT, stdio: "inherit" },
			);
			if (tar.status !== 0) throw new Error(`git archive ${commit} failed`);
			symlinkSync(join(ROOT, "node_modules"), join(cwd, "node_modules"));
		}
		const r = spawnSync(process.execPath, ["scripts/build.ts", out], {
			cwd,
			stdio: "inherit",
		});
		if (r.status !== 0) throw new Error(`build of ${commit ?? "tree"} failed`);
		return out;
	};

	const before = values.before ?? build(BEFORE);
	const after = values.after ?? build(undefined);
	const sizes = [1_000_000, 10_000_000];
	const rows: string[] = [];
	const cell = (v: Awaited<ReturnType<typeof checkedIngest>>): string[] => {
		const outcome = v.timedOut
			? `killed after ${timeoutMs / 1000} s`
			: `exit ${v.status}: ${v.stdout.trim().split(":")[0]?.slice(0, 40)}`;
		const time = v.timedOut
			? `> ${timeoutMs / 1000} s`
			: `${(v.wallMs / 1000).toFixed(2)} s`;
		return [time, `${v.peakRssMb.toFixed(0)} MB`, outcome];
	};
	for (const [name, make] of Object.entries(ATTACKS)) {
		for (const size of sizes) {
			const message = make(size);
			const input = typeof message === "string" ? latin1(message) : message;
			const results: string[][] = [];
			for (const bin of [before, after]) {
				const v = await checkedIngest(bin, {
					input,
					queueId: "BENCH",
					timeoutMs,
				});
				results.push(cell(v));
			}
			const row = `| ${name} | ${size / 1_000_000} MB (${(input.length / 1_000_000).toFixed(2)} MB) | ${results[0]?.join(" | ")} | ${results[1]?.join(" | ")} |`;
			console.log(row);
			rows.push(row);
		}
	}
	const section = `<!-- section:hostile -->
## Hostile inputs (issue 11)

\`bun scripts/bench/hostile.ts\`: each generator of scripts/bench/hostile.ts (ATTACKS) at
1 MB and 10 MB of its pathological content (the message size in brackets; the gzip run is
small, its XML is the size; XML over 4 MB is not scanned at all, so that 10 MB row shows the
inflate limit, not the scan), one \`ingest\` each in a fresh data dir. Before: commit
${BEFORE}'s binary; after: this tree's. Time is wall time with process start; memory
is peak RSS (VmHWM); runs are killed after ${timeoutMs / 1000} s. Measured on
${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} cores, shared), ${new Date().toISOString().slice(0, 10)}.

| generator | size | before: time | before: peak RSS | before: outcome | after: time | after: peak RSS | after: outcome |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}
<!-- /section:hostile -->`;
	const file = join(ROOT, "BENCHMARKS.md");
	const text = readFileSync(file, "utf8");
	const start = text.indexOf("<!-- section:hostile -->");
	const end = text.indexOf("<!-- /section:hostile -->");
	const next =
		start >= 0 && end > start
			? text.slice(0, start) +
				section +
				text.slice(end + "<!-- /section:hostile -->".length)
			: `${text.trimEnd()}\n\n${section}\n`;
	writeFileSync(file, next);
	// the table as Biome formats Markdown, so `npm run check` passes
	spawnSync(join(ROOT, "node_modules", ".bin", "biome"), [
		"format",
		"--write",
		file,
	]);
	rmSync(scratch, { recursive: true, force: true });
	console.log(`BENCHMARKS.md: section hostile, ${rows.length} rows`);
}
