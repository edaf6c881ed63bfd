import { beforeAll, describe, expect, test } from "bun:test";
import {
	appendFileSync,
	cpSync,
	existsSync,
	lstatSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	rmSync,
	symlinkSync,
	utimesSync,
	writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { DEFAULT_CAUSES } from "../src/policy/cause.ts";
import { DAY_MS } from "../src/policy/window.ts";
import { readDomainFiles } from "../src/state/data-dir.ts";
import { collectFailures } from "../src/table/collect.ts";
import { evaluate } from "../src/table/evaluate.ts";
import { type Format, render } from "../src/table/render.ts";
import { listDir, run, runAsync, tempDataDir } from "./support/cli.ts";

const FIXTURES = join(import.meta.dir, "fixtures");

/** A data dir as the original Python tool left it, plus one file of ours. */
function dataDir(): string {
	const dir = tempDataDir();
	mkdirSync(join(dir, "domains"));
	const original = (
		addr: string,
		domain: string,
		date: string,
		action = "failed",
	) =>
		JSON.stringify({
			action,
			final_rcpt: addr,
			orig_rcpt: addr,
			diag_code: "smtp; 550 5.1.1 User unknown",
			status: "5.1.1",
			report_domain: domain,
			date,
		});
	writeFileSync(
		join(dir, "domains", "example.org"),
		[
			original("rua@bounce.test", "example.org", "20261101"),
			original("Old@Bounce.Test", "example.org", "20260901"),
			original("ok@accept.test", "example.org", "20261120", "delivered"),
			"",
		].join("\n"),
	);
	writeFileSync(
		join(dir, "domains", "example.net"),
		`${JSON.stringify({
			report_domain: "example.net",
			action: "failed",
			status: "5.1.1",
			final_rcpt: "rua@bounce.test",
			orig_rcpt: "rua@bounce.test",
			diag_code: null,
			date: "20261120",
			time: "2026-11-20T10:00:00.000Z",
			queue_id: "Q1",
		})}\n`,
	);
	return dir;
}

describe("table", () => {
	test("one sorted line per address inside the window, naming every domain and the last bounce", () => {
		const r = run(["table", "--now", "2026-11-28", dataDir()]);
		expect(r.status).toBe(0);
		expect(r.stdout).toBe(
			"rua@bounce.test discard:reports for example.net,example.org bounced 20261120 last time\n",
		);
	});

	test("--days widens the window; every failed record counts, not only the last line", () => {
		const r = run(["table", "--now", "2026-11-28", "--days", "90", dataDir()]);
		expect(r.stdout.split("\n").filter(Boolean)).toEqual([
			"old@bounce.test discard:report for example.org bounced 20260901 last time",
			"rua@bounce.test discard:reports for example.net,example.org bounced 20261120 last time",
		]);
	});

	test("the second chance: after the window an address leaves the map", () => {
		expect(run(["table", "--now", "2026-12-21", dataDir()]).stdout).toBe("");
		expect(run(["table", "--now", "2026-12-19", dataDir()]).stdout).toContain(
			"rua@bounce.test",
		);
	});

	test("MIN_AGE from the environment, as in the original", () => {
		expect(
			run(["table", "--now", "2026-11-28", dataDir()], "", { MIN_AGE: "0" })
				.stdout,
		).toBe("");
	});

	test("records without a date fall back to the file's mtime", () => {
		const dir = tempDataDir();
		mkdirSync(join(dir, "domains"));
		const file = join(dir, "domains", "example.com");
		writeFileSync(
			file,
			`${JSON.stringify({ action: "failed", orig_rcpt: "x@y.test", date: null })}\n`,
		);
		utimesSync(
			file,
			new Date("2026-11-27T00:00:00Z"),
			new Date("2026-11-27T00:00:00Z"),
		);
		expect(run(["table", "--now", "2026-11-28", dir]).stdout).toBe(
			"x@y.test discard:report for example.com bounced 20261127 last time\n",
		);
	});

	test("hostile state: invalid keys and file names never reach the map", () => {
		const dir = tempDataDir();
		mkdirSync(join(dir, "domains"));
		const line = (addr: string) =>
			`${JSON.stringify({ action: "failed", orig_rcpt: addr, date: "20261127" })}\n`;
		writeFileSync(
			join(dir, "domains", "example.com"),
			[
				"example.com",
				"@example.com",
				"a b@example.com",
				"x@y.test\nevil@z.test discard:",
				"ok@example.com",
			]
				.map(line)
				.join(""),
		);
		writeFileSync(
			join(dir, "domains", "not a domain"),
			line("victim@example.com"),
		);
		expect(run(["table", "--now", "2026-11-28", dir]).stdout).toBe(
			"ok@example.com discard:report for example.com bounced 20261127 last time\n",
		);
	});

	test("a quoted local part (RFC 5321 §4.1.2) reaches the map quoted, one key for both forms", () => {
		const dir = tempDataDir();
		mkdirSync(join(dir, "domains"));
		const line = (orig: string, date: string) =>
			JSON.stringify({
				report_domain: "example.org",
				action: "failed",
				status: "5.1.1",
				final_rcpt: '"Rua..Dmarc."@example.jp',
				orig_rcpt: orig,
				diag_code: "smtp; 550 5.1.1 User unknown",
				date,
			});
		writeFileSync(
			join(dir, "domains", "example.org"),
			[
				line("rfc822;rua..dmarc.@example.jp", "20261101"),
				line('"rua..dmarc."@example.jp', "20261120"),
				"",
			].join("\n"),
		);
		const r = run(["table", "--now", "2026-11-28", dir]);
		expect(r.stdout).toBe(
			'"rua..dmarc."@example.jp discard:report for example.org bounced 20261120 last time\n',
		);
	});

	test("--output writes the same map atomically and leaves no temporary file", () => {
		const dir = dataDir();
		const out = join(tempDataDir(), "discards");
		const r = run(["table", "--now", "2026-11-28", "--output", out, dir]);
		expect([r.status, r.stdout]).toEqual([0, ""]);
		expect(readFileSync(out, "utf8")).toBe(
			run(["table", "--now", "2026-11-28", dir]).stdout,
		);
		expect(listDir(join(out, ".."))).toEqual(["discards"]);
	});

	test.each([
		[["table", "--days", "91"], 64],
		[["table", "--days", "-1"], 64],
		[["table", "--days", "x"], 64],
		[["table", "--now", "yesterday"], 64],
		[["table", "/nonexistent/ddp"], 66],
	])("%j exits %d with a plain message", (args, code) => {
		const r = run(args, "", { DATA_DIR: dataDir() });
		expect(r.status).toBe(code);
		expect(r.stderr).toStartWith("dmarc-dsn-processor table: ");
	});
});

test("a new data dir without domains/ gives an empty map, not an error", () => {
	const dir = tempDataDir();
	const r = run(["table", dir]);
	expect([r.status, r.stdout, r.stderr]).toEqual([0, "", ""]);
});

// ---- the journal (issue 15) and a data dir of any shape (issue 11, item 2) ----

const POLICY = {
	days: 30,
	maxDays: 90,
	healDays: 180,
	causes: DEFAULT_CAUSES,
} as const;

/** The map as table computed it before the journal: every domain file, read whole. */
function mapWithoutJournal(
	dir: string,
	now: number,
	format: Format = "transport",
): string {
	const lookBack = now - (POLICY.maxDays + POLICY.healDays) * DAY_MS;
	return render(
		evaluate(
			collectFailures(readDomainFiles(dir, lookBack), lookBack),
			now,
			POLICY,
			{ min: 20, factor: 5, confirmedAt: Number.NEGATIVE_INFINITY },
		),
		format,
		{ accessAction: "REJECT", now },
	);
}

let ingested: string | undefined;

/** Every fixture that records a failure, ingested by the binary, as Postfix would (a copy). */
function ingestedDataDir(): string {
	ingested ??= ingestFixtures();
	const dir = tempDataDir();
	cpSync(ingested, dir, { recursive: true, preserveTimestamps: true });
	return dir;
}

function ingestFixtures(): string {
	const dir = tempDataDir();
	const fixtures = readdirSync(FIXTURES).filter(
		(name) =>
			name.endsWith(".json") &&
			readFileSync(join(FIXTURES, name), "utf8").includes(
				'"outcome": "record"',
			),
	);
	expect(fixtures.length).toBeGreaterThan(10);
	for (const [i, name] of fixtures.entries()) {
		const meta = JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as {
			extension?: string;
		};
		const eml = readFileSync(join(FIXTURES, name.replace(/\.json$/, ".eml")));
		const r = run(["ingest", `Q${i}`, meta.extension ?? "", dir], eml);
		expect(r.status).toBe(0);
	}
	return dir;
}

function journalLines(dir: string): string[] {
	return readdirSync(join(dir, "journal"))
		.filter((n) => /^\d{8}$/.test(n))
		.flatMap((n) =>
			readFileSync(join(dir, "journal", n), "utf8")
				.split("\n")
				.filter(Boolean),
		);
}

describe("the journal", () => {
	// ~30 ingests, once for every test (a loaded machine makes them slow)
	beforeAll(() => {
		ingested ??= ingestFixtures();
	}, 120_000);
	const today = new Date().toISOString().slice(0, 10);
	const now = Date.parse(`${today}T23:59:59Z`);

	test("ingest writes one journal line per failure it records; the map is the same line for line with and without it", () => {
		const dir = ingestedDataDir();
		const records = readdirSync(join(dir, "domains")).flatMap((n) =>
			readFileSync(join(dir, "domains", n), "utf8")
				.split("\n")
				.filter(Boolean),
		);
		expect(journalLines(dir).length).toBe(
			records.filter((l) => /"action":"failed"/.test(l)).length,
		);
		const expected = mapWithoutJournal(dir, now);
		expect(expected.split("\n").length).toBeGreaterThan(10);
		// a fresh data dir of ours has no marker yet: the first table run rebuilds
		const first = run(["table", "--now", new Date(now).toISOString(), dir]);
		expect(first.stdout).toBe(expected);
		expect(existsSync(join(dir, "journal", ".complete"))).toBe(true);
		// from now on the journal alone is read: the domain files could be anything
		for (const name of readdirSync(join(dir, "domains")))
			utimesSync(join(dir, "domains", name), 0, 0);
		const second = run(["table", "--now", new Date(now).toISOString(), dir]);
		expect([second.stdout, second.stderr]).toEqual([expected, ""]);
	});

	test("table reads the journal, not the domain files, while it can be trusted", () => {
		const dir = ingestedDataDir();
		const at = new Date(now).toISOString();
		run(["table", "--now", at, dir]);
		// appended to an existing file by hand: domains/ itself does not change
		const file = join(
			dir,
			"domains",
			readdirSync(join(dir, "domains"))[0] ?? "",
		);
		const line = JSON.stringify({
			action: "failed",
			orig_rcpt: "hand@example.net",
			date: today.replaceAll("-", ""),
		});
		writeFileSync(file, `${readFileSync(file, "utf8")}${line}\n`);
		expect(run(["table", "--now", at, dir]).stdout).not.toContain("hand@");
		// the operator's way to take in what another tool wrote to existing files
		const rebuilt = run(["table", "--rebuild-journal", "--now", at, dir]);
		expect(rebuilt.stdout).toContain("hand@example.net");
		expect(rebuilt.stderr).toContain("rebuilt the journal");
		expect(rebuilt.stdout).toBe(mapWithoutJournal(dir, now));
	});

	test("a rebuild beside running ingests appends to today's file only what it lacks", () => {
		const dir = ingestedDataDir();
		const count = journalLines(dir).length;
		const at = new Date(now).toISOString();
		for (let i = 0; i < 2; i++)
			expect(run(["table", "--rebuild-journal", "--now", at, dir]).status).toBe(
				0,
			);
		expect(journalLines(dir).length).toBe(count);
	});

	test("fallback: a deleted journal is rebuilt from the domain files, same map", () => {
		const dir = ingestedDataDir();
		const at = new Date(now).toISOString();
		const before = run(["table", "--now", at, dir]).stdout;
		rmSync(join(dir, "journal"), { recursive: true });
		const after = run(["table", "--now", at, dir], "", { VERBOSE: "1" });
		expect(after.stdout).toBe(before);
		expect(after.stderr).toContain("(no journal)");
		expect(journalLines(dir).length).toBeGreaterThan(10);
	});

	test("fallback: a domain file the original tool created after the journal makes table rebuild it", async () => {
		const dir = ingestedDataDir();
		const at = new Date(now).toISOString();
		run(["table", "--now", at, dir]);
		await Bun.sleep(20);
		// the original's ingest: json.dumps of its dict, no journal
		writeFileSync(
			join(dir, "domains", "original.example"),
			`${JSON.stringify({ action: "failed", final_rcpt: "py@example.com", orig_rcpt: "py@example.com", diag_code: null, status: "5.1.1", report_domain: "original.example", date: today.replaceAll("-", "") }).replaceAll('","', '", "')}\n`,
		);
		const r = run(["table", "--now", at, dir]);
		expect(r.stdout).toContain(
			"py@example.com discard:report for original.example bounced",
		);
		expect(r.stdout).toBe(mapWithoutJournal(dir, now));
	});

	test("300 days of many addresses: the journal's map is the full scan's, line for line, in every format", () => {
		// older history for recent addresses, addresses only in the past, UTF-8 local
		// parts, our own failures, expiries, several records of one DSN, garbage lines:
		// every path of reading the journal (src/state/journal.ts) against the scan
		const dir = tempDataDir();
		mkdirSync(join(dir, "domains"));
		const at = Date.parse("2026-12-01T12:00:00Z");
		let seed = 7;
		const next = () => {
			seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
			return seed / 2 ** 32;
		};
		const files = new Map<string, string[]>();
		for (let a = 0; a < 400; a++) {
			const local =
				a % 13 === 0 ? `ümlaut${a}` : a % 7 === 0 ? `Rua.${a}+x` : `rua${a}`;
			const address = `${local}@m${a % 17}.example`;
			let time = at - Math.floor(next() * 300) * DAY_MS;
			for (let n = 1 + Math.floor(next() * 5); n > 0; n--) {
				const domain = `r${Math.floor(next() * 60)}.example`;
				const record: Record<string, string> = {
					action: "failed",
					orig_rcpt: address,
					status: next() < 0.1 ? "5.4.7" : "5.1.1",
					diag_code:
						next() < 0.1
							? "smtp; 550 5.7.1 rejected by DMARC policy"
							: "smtp; 550 5.1.1 user unknown",
					report_domain: domain,
					time: new Date(Math.min(time, at)).toISOString(),
				};
				const lines = files.get(domain) ?? [];
				lines.push(JSON.stringify(record));
				// one DSN of two recipients: the same time and report domain
				if (next() < 0.1)
					lines.push(
						JSON.stringify({ ...record, orig_rcpt: `also${a}@m1.example` }),
					);
				if (next() < 0.02) lines.push('{"action": "failed", "orig_rc');
				files.set(domain, lines);
				time += Math.floor(next() * 80) * DAY_MS;
			}
		}
		for (const [domain, lines] of files)
			writeFileSync(join(dir, "domains", domain), `${lines.join("\n")}\n`);
		const when = new Date(at).toISOString();
		const rebuilt = run(["table", "--rebuild-journal", "--now", when, dir]);
		const expected = mapWithoutJournal(dir, at);
		expect(expected.split("\n").length).toBeGreaterThan(100);
		expect(rebuilt.stdout).toBe(expected);
		expect(run(["table", "--now", when, dir]).stdout).toBe(expected);
		expect(expected).toMatch(/^ümlaut\d+@m\d+\.example discard:/m);
		for (const format of ["access", "list", "json"] as const) {
			const journal = run(["table", "--format", format, "--now", when, dir]);
			expect(journal.status).toBe(0);
			expect(journal.stdout).toBe(mapWithoutJournal(dir, at, format));
		}
	});

	test("a data dir only the original tool wrote: the first run builds the journal", () => {
		const dir = dataDir();
		const r = run(["table", "--now", "2026-11-28", dir], "", { VERBOSE: "1" });
		expect(r.stdout).toBe(mapWithoutJournal(dir, Date.parse("2026-11-28")));
		expect(r.stderr).toContain("rebuilt the journal");
		expect(journalLines(dir).length).toBe(3);
	});

	test("many ingests at once: every failure in the journal, nothing torn", async () => {
		const dir = tempDataDir();
		const eml = readFileSync(join(FIXTURES, "activehunter-01.eml"), "utf8");
		await Promise.all(
			Array.from({ length: 40 }, (_, i) =>
				runAsync(["ingest", `C${i}`, "", dir], eml),
			),
		);
		const lines = journalLines(dir);
		expect(lines.length).toBe(40);
		for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
	}, 60_000);

	test("--prune drops the journal's old days with the old records and keeps it trusted", () => {
		// --prune works at the real time (--now never changes stored state): days from now
		const day = (ago: number) =>
			new Date(Date.now() - ago * 86_400_000)
				.toISOString()
				.slice(0, 10)
				.replaceAll("-", "");
		const dir = tempDataDir();
		mkdirSync(join(dir, "domains"));
		const failed = (addr: string, date: string) =>
			JSON.stringify({
				action: "failed",
				orig_rcpt: addr,
				status: "5.1.1",
				date,
			});
		writeFileSync(
			join(dir, "domains", "example.org"),
			`${failed("old@bounce.test", day(400))}\n${failed("new@bounce.test", day(10))}\n`,
		);
		run(["table", dir]);
		const days = () =>
			readdirSync(join(dir, "journal")).filter((n) => /^\d/.test(n));
		expect(days()).toContain(day(400));
		const r = run(["table", "--prune", dir]);
		expect(r.status).toBe(0);
		expect(days()).not.toContain(day(400));
		expect(days()).toContain(day(10));
		expect(r.stderr).not.toContain("rebuilt");
		expect(run(["table", dir]).stderr).toBe("");
	});

	test("a link planted in journal/ is never written through", () => {
		const dir = ingestedDataDir();
		run(["table", "--now", new Date(now).toISOString(), dir]);
		const victim = join(tempDataDir(), "victim");
		writeFileSync(victim, "untouched\n");
		const day = today.replaceAll("-", "");
		rmSync(join(dir, "journal", day), { force: true });
		symlinkSync(victim, join(dir, "journal", day));
		const eml = readFileSync(join(FIXTURES, "activehunter-01.eml"));
		expect(run(["ingest", "L1", "", dir], eml).status).toBe(0);
		const r = run(["table", "--now", new Date(now).toISOString(), dir]);
		expect(r.status).toBe(0);
		expect(r.stdout).toBe(mapWithoutJournal(dir, now));
		expect(readFileSync(victim, "utf8")).toBe("untouched\n");
		expect(lstatSync(join(dir, "journal", day)).isFile()).toBe(true);
	});
});

describe("a data dir of any shape", () => {
	test("an oversized line is skipped and reported in one warning line; every other record counts", () => {
		const dir = dataDir();
		const file = join(dir, "domains", "example.org");
		const huge = JSON.stringify({
			action: "failed",
			orig_rcpt: "huge@bounce.test",
			diag_code: "x".repeat(200_000),
			date: "20261127",
		});
		writeFileSync(file, `${readFileSync(file, "utf8")}${huge}\n{"torn": \n`);
		const r = run(["table", "--now", "2026-11-28", dir]);
		expect(r.status).toBe(0);
		expect(r.stdout).toBe(
			"rua@bounce.test discard:reports for example.net,example.org bounced 20261120 last time\n",
		);
		const warnings = r.stderr.split("\n").filter((l) => l.includes("WARNING"));
		expect(warnings).toEqual([
			`dmarc-dsn-processor table: WARNING: skipped 1 oversized and 1 garbled lines (first in ${file}); every other record counts`,
		]);
	});

	test("garbage in the journal is skipped and counted; it never reaches the map", () => {
		const dir = dataDir();
		run(["table", "--now", "2026-11-28", dir]);
		appendFileSync(
			join(dir, "journal", "20261120"),
			[
				'[1795600000000,"recipient","example.net","evil@x.test\\nother@y.test discard:"]',
				'[1795600000000,"recipient","example.net","*@x.test"]',
				'[1795600000000,"bogus","example.net","a@x.test"]',
				"garbage",
				"",
			].join("\n"),
		);
		const r = run(["table", "--now", "2026-11-28", dir]);
		expect(r.stdout).toBe(
			"rua@bounce.test discard:reports for example.net,example.org bounced 20261120 last time\n",
		);
		expect(r.stderr).toContain("skipped 0 oversized and 4 garbled lines");
	});

	test("a journal key's mailbox domain is checked whatever keys at it came before", () => {
		const dir = dataDir();
		run(["table", "--now", "2026-11-28", dir]);
		const line = (address: string) =>
			JSON.stringify([1795600000000, "recipient", "example.net", address]);
		appendFileSync(
			join(dir, "journal", "20261120"),
			`${[
				"a@x.test",
				"b@x..test",
				"c@X.test",
				"d@x.test.",
				"e@bücher.test",
				"f@x.test-",
				"g@x.test",
				"h@xn--bcher-kva.test",
			]
				.map(line)
				.join("\n")}\n`,
		);
		const r = run(["table", "--now", "2026-11-28", dir]);
		const keys = r.stdout.split("\n").map((l) => l.split(" ")[0]);
		expect(keys).toEqual([
			"a@x.test",
			"g@x.test",
			"h@bücher.test",
			"h@xn--bcher-kva.test",
			"rua@bounce.test",
			"",
		]);
		expect(r.stderr).toContain("skipped 0 oversized and 5 garbled lines");
	});
});

test("the journal keeps what JSON escapes and fractions of a millisecond: same map as the scan", () => {
	const dir = tempDataDir();
	mkdirSync(join(dir, "domains"));
	const file = join(dir, "domains", "example.org");
	writeFileSync(
		file,
		[
			JSON.stringify({
				action: "failed",
				orig_rcpt: '"Rua..Dmarc."@example.jp',
				date: "20261120",
			}),
			// no date: the file's mtime, a fraction of a millisecond, is the time
			JSON.stringify({ action: "failed", orig_rcpt: "nodate@example.net" }),
			JSON.stringify({
				action: "failed",
				orig_rcpt: "ümlaut@bücher.example",
				date: "20261121",
			}),
			"",
		].join("\n"),
	);
	utimesSync(file, 1795800000.1234567, 1795800000.1234567);
	const now = Date.parse("2026-11-28");
	const scan = mapWithoutJournal(dir, now);
	// three addresses, the IDN one under both its forms (README: Map keys)
	expect(scan.split("\n").filter(Boolean).length).toBe(4);
	const first = run(["table", "--now", "2026-11-28", dir]);
	expect(first.stdout).toBe(scan);
	expect(journalLines(dir).join("\n")).toContain(
		'\\"rua..dmarc.\\"@example.jp',
	);
	expect(run(["table", "--now", "2026-11-28", dir]).stdout).toBe(scan);
});

test("older history is read for the addresses that bounced recently, whatever their form: repeat offenders stay longer", () => {
	const dir = tempDataDir();
	mkdirSync(join(dir, "domains"));
	const now = Date.parse("2026-11-28");
	const day = (ago: number) =>
		new Date(now - ago * DAY_MS).toISOString().slice(0, 10).replaceAll("-", "");
	const addresses = [
		"plain@example.net",
		"ümlaut@bücher.example",
		'"a..b"@example.jp',
	];
	writeFileSync(
		join(dir, "domains", "example.org"),
		addresses
			.flatMap((a) => [
				JSON.stringify({ action: "failed", orig_rcpt: a, date: day(150) }),
				JSON.stringify({ action: "failed", orig_rcpt: a, date: day(40) }),
			])
			.concat(
				JSON.stringify({
					action: "failed",
					orig_rcpt: "once@example.net",
					date: day(40),
				}),
				"",
			)
			.join("\n"),
	);
	const scan = mapWithoutJournal(dir, now);
	// the second episode's window is 60 days: 40 days after its bounce it is still listed
	expect(
		scan
			.split("\n")
			.filter(Boolean)
			.map((l) => l.split(" ")[0]),
	).toEqual([
		'"a..b"@example.jp',
		"plain@example.net",
		"ümlaut@bücher.example",
		"ümlaut@xn--bcher-kva.example",
	]);
	run(["table", "--now", "2026-11-28", dir]);
	const r = run(["table", "--now", "2026-11-28", dir]);
	expect([r.stdout, r.stderr]).toEqual([scan, ""]);
});

test("a journal line being appended is not counted as garbage; a future-dated record does not make the journal look stale", () => {
	const dir = dataDir();
	const now = new Date().toISOString();
	const today = now.slice(0, 10).replaceAll("-", "");
	const file = join(dir, "domains", "example.org");
	writeFileSync(
		file,
		`${readFileSync(file, "utf8")}${JSON.stringify({ action: "failed", orig_rcpt: "future@bounce.test", date: "20301231" })}\n`,
	);
	run(["table", "--now", now, dir]);
	expect(existsSync(join(dir, "journal", "20301231"))).toBe(true);
	const inode = () => lstatSync(join(dir, "journal", "20261120")).ino;
	const before = inode();
	// ingest's order: a new domain file, then today's journal file
	writeFileSync(
		join(dir, "domains", "example.com"),
		`${JSON.stringify({ action: "failed", orig_rcpt: "new@bounce.test", date: today })}\n`,
	);
	appendFileSync(
		join(dir, "journal", today),
		`[${Date.parse(now) - 1000},"recipient","example.com","new@bounce.test"]\n[1795`,
	);
	const r = run(["table", "--now", now, dir]);
	// --now says every warning (the future-dated record's among them), but no garbage
	// and no rebuild
	expect(r.stderr).not.toContain("garbled");
	expect(r.stderr).not.toContain("rebuilt");
	expect(r.stdout).toContain("new@bounce.test discard:report for example.com");
	// not rebuilt: the day files are the same files
	expect(inode()).toBe(before);
});
