// Hostile input and hostile conditions (issue 6), against the compiled binary:
// pathological MIME, bad encodings, NUL bytes, truncated and bomb report attachments,
// the 20 MB limit, concurrent appends while `table` reads, a full disk and a read-only
// data dir. Each ingest goes through the sandbox oracle (scripts/bench/sandbox.ts): exit
// 0 with a record, an ignore or a quarantine file, or 75 with "4.3.0" and nothing
// half-written; nothing outside the data dir; killed after KILL_MS. For hostile
// messages with a healthy data dir, 75 is a failure too: the DSN would be retried until
// it expires. Peak memory is read from /proc while the process runs.
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import {
	appendFileSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmdirSync,
	rmSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as hostile from "../scripts/bench/hostile.ts";
import { postfixDsn } from "../scripts/bench/messages.ts";
import {
	checkedIngest,
	MAX_MESSAGE_BYTES,
	type Verdict,
} from "../scripts/bench/sandbox.ts";
import { regexLiterals } from "../scripts/redos.ts";
import { parseDeliveryStatus } from "../src/dsn/fields.ts";
import { reportDomainFromSubject } from "../src/report/subject.ts";
import { reportDomainFromContent } from "../src/report/xml.ts";
import { BIN } from "./support/cli.ts";

const bin = process.env.DDP_BIN ?? BIN;
const KILL_MS = 10_000;
/** Per process: Postfix runs up to 100 at once (default_process_limit). */
const RSS_LIMIT_MB = 512;
const TEST_MS = 60_000;

const encode = (s: string) => new TextEncoder().encode(s);
const toBytes = (m: string | Uint8Array) =>
	typeof m === "string" ? hostile.latin1(m) : m;

function explain(v: Verdict): string {
	return `exit ${v.status}, ${v.wallMs.toFixed(0)} ms, peak ${v.peakRssMb.toFixed(0)} MB: ${v.stdout.trim().slice(0, 160)}`;
}

/** One hostile message: a definite outcome, in time, in bounded memory. */
async function survives(message: string | Uint8Array): Promise<Verdict> {
	const v = await checkedIngest(bin, {
		input: toBytes(message),
		queueId: "HOSTILE",
		timeoutMs: KILL_MS,
		strictDefer: true,
	});
	expect(v.problems, explain(v)).toEqual([]);
	expect(v.peakRssMb, explain(v)).toBeLessThan(RSS_LIMIT_MB);
	return v;
}

describe("pathological MIME: bounded work, a definite outcome", () => {
	const cases: [string, () => string | Uint8Array][] = [
		["2,000 nested multiparts", () => hostile.deepMultipart(2000)],
		["500 nested message/rfc822", () => hostile.deepRfc822(500)],
		["20,000 parts", () => hostile.manyParts(20_000)],
		["5,000 recipients in one DSN", () => hostile.manyRecipients(5000)],
		["a 5 MB header line", () => hostile.hugeHeader(5_000_000)],
		[
			"a 5 MB header folded a million times",
			() => hostile.hugeHeader(5_000_000, true),
		],
		["200,000 header lines", () => hostile.manyHeaders(200_000)],
		[
			"endless boundaries: 400,000 empty parts (17 MB)",
			() => hostile.endlessBoundaries(400_000),
		],
		[
			"endless boundaries, never closed",
			() => hostile.endlessBoundaries(400_000, false),
		],
		[
			"50,000 nested multiparts sharing one boundary, never closed",
			() => hostile.sameBoundaryNesting(50_000),
		],
		["a 5,000-character boundary", () => hostile.longBoundary(5000)],
	];
	for (const [name, make] of cases)
		test(
			name,
			async () => {
				await survives(make());
			},
			TEST_MS,
		);
});

describe("bad encodings and NUL bytes", () => {
	for (const [name, message] of Object.entries(hostile.BAD_ENCODINGS))
		test(
			name,
			async () => {
				await survives(message);
			},
			TEST_MS,
		);
	test(
		"invalid UTF-8 in headers and addresses",
		async () => {
			await survives(hostile.invalidUtf8());
		},
		TEST_MS,
	);
	test(
		"NUL bytes in headers, boundary, DSN fields and body; the summary stays printable",
		async () => {
			const v = await survives(hostile.nulBytes());
			expect(v.stdout).not.toContain("\0");
		},
		TEST_MS,
	);
	test(
		"a message of only NUL bytes",
		async () => {
			await survives(new Uint8Array(100_000));
		},
		TEST_MS,
	);
});

describe("report attachments: truncated, and decompression bombs", () => {
	test(
		"a truncated gzip report still yields its domain",
		async () => {
			const v = await survives(hostile.truncatedGzip());
			expect(v.stdout).toStartWith("recorded example.org:");
		},
		TEST_MS,
	);
	test(
		"a truncated zip report",
		async () => {
			await survives(hostile.truncatedZip());
		},
		TEST_MS,
	);
	test(
		"a gzip bomb: 1 GB of zeros",
		async () => {
			await survives(hostile.gzipBomb(1024));
		},
		TEST_MS,
	);
	// a zip entry that declares 1,000 bytes and inflates to 1 GB: the inflater must stop
	// at its output limit instead of decoding (and discarding) the whole stream
	test(
		"a zip bomb: an entry declaring 1,000 bytes that inflates to 1 GB",
		async () => {
			await survives(hostile.zipBomb(1024));
		},
		TEST_MS,
	);
	test(
		"a zip of 20,000 entries",
		async () => {
			await survives(hostile.zipManyEntries(20_000));
		},
		TEST_MS,
	);
	test(
		"a report base64-encoded 10 times over",
		async () => {
			await survives(hostile.nestedBase64(10));
		},
		TEST_MS,
	);
});

describe("the 20 MB limit", () => {
	/** A DSN padded in its notification text to exactly `size` bytes. */
	function dsnOfExactly(size: number): Uint8Array {
		const dsn = hostile.plainDsn();
		const marker = "This is the mail system";
		const room = size - dsn.length;
		const line = `${"x".repeat(99)}\n`;
		const pad =
			line.repeat(Math.floor(room / line.length)) +
			"y".repeat(room % line.length);
		const out = encode(dsn.replace(marker, pad + marker));
		expect(out.length).toBe(size);
		return out;
	}

	test(
		"exactly 20 MB is parsed",
		async () => {
			const v = await survives(dsnOfExactly(MAX_MESSAGE_BYTES));
			expect(v.stdout).toStartWith("recorded example.org:");
		},
		TEST_MS,
	);

	test(
		"20 MB and one byte is saved as received, cut at 20 MB, not parsed",
		async () => {
			const v = await survives(dsnOfExactly(MAX_MESSAGE_BYTES + 1));
			expect(v.stdout).toStartWith("quarantined too-large");
		},
		TEST_MS,
	);

	test(
		"200 MB on stdin is read to the end in bounded memory",
		async () => {
			const chunk = encode(`${"z".repeat(1023)}\n`.repeat(1024));
			const head = encode(hostile.plainDsn());
			const chunks = [head, ...new Array<Uint8Array>(200).fill(chunk)];
			const expected = new Uint8Array(MAX_MESSAGE_BYTES);
			let filled = 0;
			for (const c of chunks) {
				if (filled >= expected.length) break;
				const take = c.subarray(0, expected.length - filled);
				expected.set(take, filled);
				filled += take.length;
			}
			let i = 0;
			const stream = new ReadableStream<Uint8Array>({
				pull(controller) {
					const next = chunks[i++];
					if (next) controller.enqueue(next);
					else controller.close();
				},
			});
			const v = await checkedIngest(bin, {
				input: stream,
				expectedSaved: expected,
				queueId: "HUGE",
				timeoutMs: KILL_MS,
				strictDefer: true,
			});
			expect(v.problems, explain(v)).toEqual([]);
			expect(v.stdout).toStartWith(
				`quarantined too-large (${head.length + 200 * chunk.length} bytes)`,
			);
			expect(v.peakRssMb, explain(v)).toBeLessThan(RSS_LIMIT_MB);
		},
		TEST_MS,
	);
});

// ---- concurrency ----

interface Done {
	readonly status: number | null;
	readonly stdout: string;
	readonly stderr: string;
}

async function runBin(args: string[], input?: string): Promise<Done> {
	const child = Bun.spawn([bin, ...args], {
		stdin: input === undefined ? "ignore" : encode(input),
		stdout: "pipe",
		stderr: "pipe",
		env: { PATH: "/usr/bin:/bin", LANG: "C" },
	});
	const timer = setTimeout(() => child.kill("SIGKILL"), KILL_MS);
	const [stdout, stderr] = await Promise.all([
		new Response(child.stdout).text(),
		new Response(child.stderr).text(),
	]);
	await child.exited;
	clearTimeout(timer);
	return { status: child.exitCode, stdout, stderr };
}

test(
	"80 ingest processes append to one domain file while table runs: no lost or torn line, table never prints one",
	async () => {
		const dir = mkdtempSync(join(tmpdir(), "ddp-limits-"));
		// 15 addresses: fewer than the surge breaker's daily minimum, so all reach the map
		const addresses = Array.from(
			{ length: 15 },
			(_, i) => `rua${i}@r${i}.example.net`,
		);
		const dsns = Array.from({ length: 80 }, (_, i) =>
			postfixDsn({
				queueId: `C${i}`,
				recipients: [0, 1, 2, 3, 4].map((k) => ({
					address: addresses[(i + 3 * k) % addresses.length] ?? "",
				})),
			}),
		);
		let ingesting = true;
		const tables: Done[] = [];
		const tableLoop = (async () => {
			while (ingesting) tables.push(await runBin(["table", dir]));
		})();
		const results: Done[] = [];
		let next = 0;
		await Promise.all(
			Array.from({ length: 10 }, async () => {
				while (next < dsns.length) {
					const i = next++;
					results.push(await runBin(["ingest", `C${i}`, "", dir], dsns[i]));
				}
			}),
		);
		ingesting = false;
		await tableLoop;
		tables.push(await runBin(["table", dir]));

		expect(results.filter((r) => r.status !== 0)).toEqual([]);
		const lines = readFileSync(join(dir, "domains", "example.org"), "utf8")
			.split("\n")
			.filter(Boolean);
		expect(lines.length).toBe(80 * 5);
		for (const line of lines)
			expect(() => JSON.parse(line), line).not.toThrow();

		const known = new Set(addresses);
		expect(tables.length).toBeGreaterThan(1);
		for (const t of tables) {
			expect(t.status, t.stderr).toBe(0);
			expect(t.stdout === "" || t.stdout.endsWith("\n")).toBe(true);
			for (const line of t.stdout.split("\n").filter(Boolean)) {
				const m =
					/^(\S+) discard:report for example\.org bounced \d{8} last time$/.exec(
						line,
					);
				expect(m?.[1] !== undefined && known.has(m[1]), line).toBe(true);
			}
		}
		expect(tables.at(-1)?.stdout.split("\n").filter(Boolean).length).toBe(15);
		rmSync(dir, { recursive: true, force: true });
	},
	TEST_MS,
);

// ---- full disk and read-only data dir: a small tmpfs (root only) ----

const mounts: string[] = [];

function mountTmpfs(size: string): string | undefined {
	const dir = mkdtempSync(join(tmpdir(), "ddp-tmpfs-"));
	const r = spawnSync(
		"mount",
		["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir],
		{
			encoding: "utf8",
		},
	);
	if (r.status !== 0) {
		rmdirSync(dir);
		return undefined;
	}
	mounts.push(dir);
	return dir;
}

function unmount(dir: string): void {
	if (spawnSync("umount", [dir]).status !== 0) spawnSync("umount", ["-l", dir]);
	rmSync(dir, { recursive: true, force: true });
}

afterAll(() => {
	for (const dir of mounts.splice(0)) unmount(dir);
});

const probe = mountTmpfs("64k");
if (probe) unmount(probe);
else mounts.length = 0;
const canMount = probe !== undefined;
if (!canMount)
	console.warn(
		"limits: SKIPPED the full-disk and read-only tests: `mount -t tmpfs` was refused " +
			"(needs root); they are not covered by this run",
	);

/** Fills the file system of `dir` until the next write fails. */
function fill(dir: string, leave = 0): void {
	const filler = join(dir, "filler");
	const block = Buffer.alloc(4096);
	try {
		for (;;) appendFileSync(filler, block);
	} catch {
		// ENOSPC: full
	}
	if (leave > 0) {
		const text = readFileSync(filler);
		writeFileSync(filler, text.subarray(0, Math.max(0, text.length - leave)));
	}
}

/** A data dir on a fresh 64 KB tmpfs with one record in domains/example.org. */
async function dataDirOnTmpfs(): Promise<{ mount: string; data: string }> {
	const mount = mountTmpfs("64k");
	if (!mount) throw new Error("mount refused");
	const data = join(mount, "data");
	mkdirSync(data);
	const first = await checkedIngest(bin, {
		input: encode(postfixDsn({ recipients: [{ address: "rua@example.net" }] })),
		dataDir: data,
		queueId: "FIRST",
	});
	expect(first.kind, explain(first)).toBe("recorded");
	return { mount, data };
}

// ten: as many as one message may record (src/decide.ts MAX_RECORDED), more than the
// room left in the domain file's page, with long addresses
const manyFailed = postfixDsn({
	queueId: "FULL",
	recipients: Array.from({ length: 10 }, (_, i) => ({
		address: `rua-${"x".repeat(40)}${i}@r${i}.${"y".repeat(40)}.example.net`,
	})),
});

describe.skipIf(!canMount)("a full disk: exit 75, nothing half-written", () => {
	test(
		"a record for a new domain file: no line written, and it goes in once there is room",
		async () => {
			const mount = mountTmpfs("64k");
			if (!mount) throw new Error("mount refused");
			const data = join(mount, "data");
			for (const sub of ["domains", "saved"])
				mkdirSync(join(data, sub), { recursive: true });
			fill(mount);
			const v = await checkedIngest(bin, {
				input: encode(manyFailed),
				dataDir: data,
			});
			expect(v.problems, explain(v)).toEqual([]);
			expect(v.kind).toBe("deferred");
			rmSync(join(mount, "filler"));
			const retry = await checkedIngest(bin, {
				input: encode(manyFailed),
				dataDir: data,
			});
			expect(retry.kind, explain(retry)).toBe("recorded");
		},
		TEST_MS,
	);

	test(
		"a record that fits only in part is cut back (short write), and goes in once there is room",
		async () => {
			const { mount, data } = await dataDirOnTmpfs();
			// the domain file's page has room for a few of the twenty lines, the disk for none
			fill(mount);
			const v = await checkedIngest(bin, {
				input: encode(manyFailed),
				dataDir: data,
			});
			expect(v.problems, explain(v)).toEqual([]);
			expect(v.kind).toBe("deferred");
			const file = join(data, "domains", "example.org");
			expect(
				readFileSync(file, "utf8").split("\n").filter(Boolean).length,
			).toBe(1);
			rmSync(join(mount, "filler"));
			const retry = await checkedIngest(bin, {
				input: encode(manyFailed),
				dataDir: data,
			});
			expect(retry.kind, explain(retry)).toBe("recorded");
			expect(
				readFileSync(file, "utf8").split("\n").filter(Boolean).length,
			).toBe(11);
		},
		TEST_MS,
	);

	test(
		"a quarantine that does not fit leaves no empty or partial file in saved/",
		async () => {
			const { mount, data } = await dataDirOnTmpfs();
			fill(mount);
			const v = await checkedIngest(bin, {
				input: encode("junk\n"),
				dataDir: data,
				queueId: "Q1",
			});
			expect(v.problems, explain(v)).toEqual([]);
			expect(v.kind).toBe("deferred");
			expect(readdirSync(join(data, "saved"))).toEqual([]);
		},
		TEST_MS,
	);

	test(
		"a quarantine that fits only in part leaves no partial file in saved/",
		async () => {
			const { mount, data } = await dataDirOnTmpfs();
			fill(mount, 8192);
			const v = await checkedIngest(bin, {
				input: encode(`junk\n${"j".repeat(100_000)}\n`),
				dataDir: data,
				queueId: "Q2",
			});
			expect(v.problems, explain(v)).toEqual([]);
			expect(v.kind).toBe("deferred");
			expect(readdirSync(join(data, "saved"))).toEqual([]);
		},
		TEST_MS,
	);

	test(
		"table --output on a full disk keeps the old map and leaves no temporary file",
		async () => {
			const { mount, data } = await dataDirOnTmpfs();
			const map = join(mount, "map");
			writeFileSync(map, "old map\n");
			fill(mount);
			const r = await runBin(["table", "--output", map, data]);
			expect(r.status).not.toBe(0);
			expect(r.stderr).toContain("dmarc-dsn-processor table:");
			expect(readFileSync(map, "utf8")).toBe("old map\n");
			expect(readdirSync(mount).sort()).toEqual(["data", "filler", "map"]);
		},
		TEST_MS,
	);
});

describe.skipIf(!canMount)(
	"a read-only data dir: exit 75 for ingest, table still reads",
	() => {
		test(
			"ingest of a failure and of garbage defer and write nothing; table prints the map",
			async () => {
				const { mount, data } = await dataDirOnTmpfs();
				expect(spawnSync("mount", ["-o", "remount,ro", mount]).status).toBe(0);
				for (const input of [manyFailed, "junk\n"]) {
					const v = await checkedIngest(bin, {
						input: encode(input),
						dataDir: data,
					});
					expect(v.problems, explain(v)).toEqual([]);
					expect(v.kind).toBe("deferred");
				}
				const r = await runBin(["table", data]);
				expect(r.status).toBe(0);
				expect(r.stdout).toStartWith(
					"rua@example.net discard:report for example.org bounced ",
				);
				const out = await runBin([
					"table",
					"--output",
					join(mount, "map"),
					data,
				]);
				expect(out.status).not.toBe(0);
				expect(existsSync(join(mount, "map"))).toBe(false);
			},
			TEST_MS,
		);

		test(
			"a read-only data dir without domains/ and saved/",
			async () => {
				const mount = mountTmpfs("64k");
				if (!mount) throw new Error("mount refused");
				mkdirSync(join(mount, "data"));
				expect(spawnSync("mount", ["-o", "remount,ro", mount]).status).toBe(0);
				const v = await checkedIngest(bin, {
					input: encode(manyFailed),
					dataDir: join(mount, "data"),
				});
				expect(v.problems, explain(v)).toEqual([]);
				expect(v.kind).toBe("deferred");
			},
			TEST_MS,
		);
	},
);

// ---- issue 11: a hostile sender, attacks 1, 5, 6, 7 and 9 of its table ----

/** A fresh data dir with domains/ and saved/. */
function freshDataDir(): string {
	const dir = mkdtempSync(join(tmpdir(), "ddp-hostile-"));
	for (const sub of ["domains", "saved"]) mkdirSync(join(dir, sub));
	return dir;
}

describe("attack 1: one message records a bounded amount", () => {
	test(
		"a 1 MB Reporting-MTA and 1,100 failed recipients: quarantined too-many-recipients, nothing recorded",
		async () => {
			const v = await survives(hostile.crowd(1100, 1_000_000));
			expect(v.stdout).toStartWith("quarantined too-many-recipients: saved/");
			expect(v.kind).toBe("quarantined");
		},
		TEST_MS,
	);
	test(
		"2,000 recipients: quarantined, not recorded",
		async () => {
			const v = await survives(hostile.manyRecipients(2000));
			expect(v.stdout).toStartWith("quarantined too-many-recipients");
		},
		TEST_MS,
	);
	test(
		"ten recipients and a 1 MB Reporting-MTA: all ten recorded, each line of bounded size",
		async () => {
			const dir = freshDataDir();
			const v = await checkedIngest(bin, {
				input: encode(hostile.crowd(10, 1_000_000)),
				dataDir: dir,
				queueId: "CROWD10",
			});
			expect(v.problems, explain(v)).toEqual([]);
			expect(v.kind).toBe("recorded");
			const lines = readFileSync(join(dir, "domains", "example.org"), "utf8")
				.split("\n")
				.filter(Boolean);
			expect(lines.length).toBe(10);
			for (const line of lines) {
				expect(line.length).toBeLessThan(2048);
				const record = JSON.parse(line) as { reporting_mta: string };
				expect(record.reporting_mta.length).toBeLessThanOrEqual(255);
			}
			rmSync(dir, { recursive: true, force: true });
		},
		TEST_MS,
	);
});

describe("attack 5: pathological inputs end in time (killed after 10 s otherwise)", () => {
	const cases: [string, () => string, string][] = [
		[
			"`reportdomain:` 80,000 times in the notice (1 MB)",
			() => hostile.tokenRun("reportdomain:", 80_000 * 13, "<"),
			"quarantined invalid-report-domain:",
		],
		[
			"a Diagnostic-Code folded over 400,000 lines",
			() => hostile.deepFolding(400_000),
			"recorded example.org:",
		],
		[
			"a DSN field folded over 800,000 lines (2.4 MB): too many lines to parse",
			() => hostile.deepFolding(800_000),
			"quarantined too-many-lines:",
		],
		[
			"a gzip report attachment of `<domain` 590,000 times",
			() => hostile.xmlDomainRun(590_000 * 7),
			"recorded without report domain",
		],
		[
			"`Final-Recipient:` lines in the notice (1 MB)",
			() => hostile.tokenRun("Final-Recipient:\n", 1_000_000),
			"recorded without report domain",
		],
		[
			"a run of `@:` after `<@` in the notice (5 MB)",
			() => hostile.tokenRun("@:", 5_000_000).replace("@:", "<@@:"),
			"recorded without report domain",
		],
		[
			"a plain notice of 2 MB of CR-separated lines",
			() => hostile.noticeRun("Content-Type: multipart/report\r", 2_000_000),
			"quarantined no-delivery-report:",
		],
		[
			"a plain notice of 400,000 empty lines",
			() => hostile.noticeRun("\n", 400_000),
			"quarantined no-delivery-report:",
		],
		[
			"a large report attachment (15 MB)",
			() => hostile.dsnWithReport(new Uint8Array(11_000_000).fill(0x41)),
			"recorded without report domain",
		],
	];
	for (const [name, make, outcome] of cases)
		test(
			name,
			async () => {
				const v = await survives(make());
				expect(v.stdout).toStartWith(outcome);
			},
			TEST_MS,
		);
});

describe("attack 6: a message no parser reads is quarantined, never retried", () => {
	test(
		"a returned original nested 41 levels deep",
		async () => {
			const v = await survives(hostile.deepReturned(41));
			expect(v.status).toBe(0);
			expect(v.stdout).toStartWith("quarantined unparsable-mime: saved/");
		},
		TEST_MS,
	);
	test(
		"100,000 header lines in the returned original",
		async () => {
			const v = await survives(hostile.returnedHeaders(100_000));
			expect(v.status).toBe(0);
			expect(v.stdout).toStartWith("quarantined unparsable-mime: saved/");
		},
		TEST_MS,
	);
	test(
		"600,000 header lines in the returned original",
		async () => {
			const v = await survives(hostile.returnedHeaders(1_000_000));
			expect(v.stdout).toStartWith("quarantined too-many-lines: saved/");
		},
		TEST_MS,
	);
});

/** The signals a process has handlers for, from /proc (0 when unreadable). */
function caught(pid: number): bigint {
	try {
		const status = readFileSync(`/proc/${pid}/status`, "utf8");
		return BigInt(`0x${/^SigCgt:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? "0"}`);
	} catch {
		return 0n;
	}
}

describe("attack 7: SIGTERM and SIGINT end ingest with 75, nothing written", () => {
	for (const signal of ["SIGTERM", "SIGINT"] as const)
		test(
			`${signal} while the message is still arriving`,
			async () => {
				const dir = freshDataDir();
				const dsn = encode(hostile.crowd(5, 0));
				const child = Bun.spawn([bin, "ingest", "SIG", "", dir], {
					stdin: "pipe",
					stdout: "pipe",
					stderr: "pipe",
					env: { PATH: "/usr/bin:/bin", LANG: "C" },
				});
				child.stdin.write(dsn.subarray(0, dsn.length >> 1));
				await child.stdin.flush();
				// until ingest catches the signal (SigCgt), a kill would end it before it starts
				const bit = 1n << BigInt((signal === "SIGTERM" ? 15 : 2) - 1);
				for (let i = 0; i < 500 && (caught(child.pid) & bit) === 0n; i++)
					await Bun.sleep(10);
				child.kill(signal);
				await Bun.sleep(100);
				child.stdin.write(dsn.subarray(dsn.length >> 1));
				await child.stdin.end();
				const stdout = await new Response(child.stdout).text();
				await child.exited;
				expect(child.exitCode).toBe(75);
				expect(stdout).toStartWith(`4.3.0 interrupted by ${signal}`);
				expect(readdirSync(join(dir, "domains"))).toEqual([]);
				expect(readdirSync(join(dir, "saved"))).toEqual([]);
				rmSync(dir, { recursive: true, force: true });
			},
			TEST_MS,
		);
});

describe("attack 9: saved/ stays bounded", () => {
	test(
		"5 MB of junk keeps its first 1 MB, with its size noted",
		async () => {
			const message = encode(hostile.junk(5_000_000));
			const dir = freshDataDir();
			const v = await checkedIngest(bin, {
				input: message,
				dataDir: dir,
				queueId: "JUNK",
			});
			expect(v.problems, explain(v)).toEqual([]);
			const saved = readFileSync(join(dir, "saved", "JUNK.no-delivery-report"));
			const note = `X-Dmarc-Dsn-Processor-Saved: first 1048576 of ${message.length} bytes\r\n`;
			expect(saved.length).toBe(note.length + 1048576);
			expect(saved.subarray(0, note.length).toString("latin1")).toBe(note);
			rmSync(dir, { recursive: true, force: true });
		},
		TEST_MS,
	);
	test(
		"with saved/ over its 100 MB quota, a further message keeps only a 4 KB head",
		async () => {
			const dir = freshDataDir();
			// a sparse file: 100 MB by its size, no disk used
			const r = spawnSync("truncate", [
				"-s",
				"100M",
				join(dir, "saved", "OLD.no-delivery-report"),
			]);
			expect(r.status).toBe(0);
			const message = hostile.junk(100_000);
			const v = await runBin(["ingest", "MORE", "", dir], message);
			expect(v.status).toBe(0);
			expect(v.stdout).toStartWith("quarantined no-delivery-report");
			const saved = readFileSync(join(dir, "saved", "MORE.no-delivery-report"));
			const note = `X-Dmarc-Dsn-Processor-Saved: first 4096 of ${message.length} bytes\r\n`;
			expect(saved.length).toBe(note.length + 4096);
			rmSync(dir, { recursive: true, force: true });
		},
		TEST_MS,
	);
	test(
		"20 MB and more is saved cut at 1 MB, with the size received",
		async () => {
			const dir = freshDataDir();
			const big = encode(hostile.junk(21_000_000));
			const v = await runBin(
				["ingest", "BIG", "", dir],
				new TextDecoder("latin1").decode(big),
			);
			expect(v.status).toBe(0);
			expect(v.stdout).toStartWith(
				`quarantined too-large (${big.length} bytes)`,
			);
			const saved = readFileSync(join(dir, "saved", "BIG.too-large"));
			expect(saved.subarray(0, 80).toString("latin1")).toStartWith(
				`X-Dmarc-Dsn-Processor-Saved: first 1048576 of ${big.length} bytes\r\n`,
			);
			rmSync(dir, { recursive: true, force: true });
		},
		TEST_MS,
	);
});

describe("issue 11: the linear readers and the ReDoS check, in-process", () => {
	test("a DSN field folded 5,000 times keeps its first 1,000 continuation lines", () => {
		const text = `Reporting-MTA: dns; a${"\n x".repeat(5000)}\n\nFinal-Recipient: rfc822; a@b.example\nAction: failed\n`;
		const status = parseDeliveryStatus(text);
		expect(status.message.get("reporting-mta")).toBe(
			`dns; a${" x".repeat(1000)}`,
		);
		expect(status.recipients[0]?.get("action")).toBe("failed");
	});

	test("the report XML scan skips `<domain` runs and finds the policy domain", () => {
		const xml = `<feedback><policy_published>${"<domain".repeat(1000)}><domainx>no.example</domainx><domain a="1"> example.org </domain></policy_published></feedback>`;
		expect(reportDomainFromContent(encode(xml))).toBe("example.org");
		expect(
			reportDomainFromContent(
				encode(`<policy_published>${"<domain".repeat(1000)}`),
			),
		).toBeUndefined();
	});

	test("the report-domain grammar reads past a run of `reportdomain:` ending in `<`", () => {
		const text = `${"reportdomain:".repeat(1000)}< Report Domain: example.org Submitter: x`;
		expect(reportDomainFromSubject(text)).toBe("example.org");
	});

	test("scripts/redos.ts finds regex literals, not division, strings or comments", () => {
		const source = [
			"#!/usr/bin/env bun",
			// biome-ignore lint/suspicious/noTemplateCurlyInString: source text with a template
			'const a = "/not/" + `/${x / 2}/`; // /comment/',
			"const b = /a[/]b\\/c/gi.test(s) ? n / 2 / 3 : /x/;",
			"/* /block/ */ if (/^y$/m.exec(z)) return /w+/;",
		].join("\n");
		expect(
			regexLiterals("t.ts", source).map((l) => `/${l.source}/${l.flags}`),
		).toEqual(["/a[/]b\\/c/gi", "/x/", "/^y$/m", "/w+/"]);
	});
});
