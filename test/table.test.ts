import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { listDir, run, tempDataDir } from "./support/cli.ts";

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
