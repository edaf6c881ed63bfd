import { describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import {
	chmodSync,
	chownSync,
	mkdirSync,
	readFileSync,
	statSync,
	utimesSync,
	writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { BIN, listDir, run, runAsync, tempDataDir } from "./support/cli.ts";
import { makeDsn, REPORT_SUBJECT } from "./support/dsn.ts";

interface Rec {
	readonly addr: string;
	readonly time: string;
	readonly status?: string;
	readonly diag?: string;
	readonly cause?: string;
}

/** A data dir with our records, one domain file per entry of `domains`. */
function dataDir(domains: Record<string, readonly Rec[]>): string {
	const dir = tempDataDir();
	mkdirSync(join(dir, "domains"));
	for (const [domain, recs] of Object.entries(domains)) {
		const lines = recs.map((r) =>
			JSON.stringify({
				report_domain: domain,
				action: "failed",
				status: r.status ?? "5.1.1",
				final_rcpt: r.addr,
				orig_rcpt: r.addr,
				diag_code: r.diag ?? "smtp; 550 5.1.1 User unknown",
				date: r.time.slice(0, 10).replaceAll("-", ""),
				time: r.time,
				queue_id: "Q",
				...(r.cause ? { cause: r.cause } : {}),
			}),
		);
		writeFileSync(join(dir, "domains", domain), `${lines.join("\n")}\n`);
	}
	return dir;
}

const NOW = ["--now", "2026-11-28"];

describe("table outputs", () => {
	const dir = dataDir({
		"example.org": [{ addr: "rua@example.net", time: "2026-11-20T10:00:00Z" }],
	});

	test("access map for a sender-scoped restriction class: REJECT by default, DISCARD on request", () => {
		expect(run(["table", ...NOW, "--format", "access", dir]).stdout).toBe(
			"rua@example.net REJECT report for example.org bounced 20261120 last time\n",
		);
		expect(
			run([
				"table",
				...NOW,
				"--format",
				"access",
				"--access-action",
				"discard",
				dir,
			]).stdout,
		).toStartWith("rua@example.net DISCARD ");
	});

	test("a plain address list for rspamd and OpenDMARC", () => {
		expect(run(["table", ...NOW, "--format", "list", dir]).stdout).toBe(
			"rua@example.net\n",
		);
	});

	test("JSON for monitoring: why and until when", () => {
		const json = JSON.parse(
			run(["table", ...NOW, "--format", "json", dir]).stdout,
		);
		expect(json.entries).toEqual([
			{
				address: "rua@example.net",
				listed: true,
				hold: null,
				domains: ["example.org"],
				cause: "recipient",
				first_bounce: "2026-11-20T10:00:00.000Z",
				last_bounce: "2026-11-20T10:00:00.000Z",
				episode: 1,
				until: "2026-12-20T10:00:00.000Z",
			},
		]);
		expect(json.surge.tripped).toBe(false);
	});

	test("an unknown format or action is a usage error", () => {
		expect(run(["table", "--format", "yaml", dir]).status).toBe(64);
		expect(
			run(["table", "--format", "access", "--access-action", "OK", dir]).status,
		).toBe(64);
	});
});

describe("table policy", () => {
	test("a repeat offender stays away longer: 60 days after bouncing again past its second chance", () => {
		const dir = dataDir({
			"example.org": [
				{ addr: "rua@example.net", time: "2026-06-01T00:00:00Z" },
				{ addr: "rua@example.net", time: "2026-07-15T00:00:00Z" },
			],
		});
		expect(run(["table", "--now", "2026-08-20", dir]).stdout).toContain(
			"rua@example.net discard:",
		);
		expect(run(["table", "--now", "2026-09-14", dir]).stdout).toBe("");
		const json = JSON.parse(
			run(["table", "--now", "2026-08-20", "--format", "json", dir]).stdout,
		);
		expect(json.entries[0]).toMatchObject({
			episode: 2,
			until: "2026-09-13T00:00:00.000Z",
		});
	});

	test("sender-side failures stay off the map and are reported on stderr; --causes can count them", () => {
		const dir = dataDir({
			"example.org": [
				{
					addr: "rua@example.net",
					time: "2026-11-27T00:00:00Z",
					status: "5.7.26",
					diag: "550 5.7.26 Unauthenticated email is not accepted due to domain's DMARC policy",
				},
			],
		});
		const r = run(["table", ...NOW, dir]);
		expect([r.status, r.stdout]).toEqual([0, ""]);
		expect(r.stderr).toContain(
			"WARNING: 1 report recipients rejected us for sender-side reasons",
		);
		expect(
			run(["table", ...NOW, "--causes", "recipient,sender", dir]).stdout,
		).toStartWith("rua@example.net discard:");
	});

	test("--release takes an address off the map until it bounces again", () => {
		const dir = dataDir({
			"example.org": [
				{ addr: "rua@example.net", time: "2026-11-20T00:00:00Z" },
			],
		});
		const r = run(["table", ...NOW, "--release", "RUA@example.net", dir]);
		expect([r.status, r.stdout]).toEqual([0, ""]);
		expect(r.stderr).toContain("released rua@example.net");
		expect(run(["table", ...NOW, dir]).stdout).toBe("");
		expect(run(["table", "--release", "example.net", dir]).status).toBe(64);
	});

	test("the surge breaker holds new addresses until an operator confirms", () => {
		// 25 DSNs, one address each (a message is a domain and a write time)
		const many = Array.from({ length: 25 }, (_, i) => ({
			addr: `r${i}@example.net`,
			time: `2026-11-27T20:00:${String(i).padStart(2, "0")}Z`,
		}));
		const dir = dataDir({ "example.org": many });
		const held = run(["table", ...NOW, dir]);
		expect(held.stdout).toBe("");
		expect(held.stderr).toContain(
			"WARNING: 25 addresses started bouncing in the last 24 hours, from 25 bounce messages",
		);
		expect(
			run(["table", ...NOW, "--confirm-surge", dir])
				.stdout.split("\n")
				.filter(Boolean),
		).toHaveLength(25);
		const after = run(["table", ...NOW, dir]);
		expect(after.stdout.split("\n").filter(Boolean)).toHaveLength(25);
		// confirmed: the warning stops at once, and monitoring says it is over
		expect(after.stderr).toBe("");
		expect(
			JSON.parse(run(["table", ...NOW, "--format", "json", dir]).stdout).surge
				.tripped,
		).toBe(false);
		expect(
			run([
				"table",
				...NOW,
				"--surge-min",
				"0",
				dataDir({ "example.org": many }),
			]).stdout,
		).not.toBe("");
	});

	test("one DSN naming many new addresses never trips the breaker by itself (attack 8)", () => {
		const oneDsn = Array.from({ length: 40 }, (_, i) => ({
			addr: `victim${i}@example.net`,
			time: "2026-11-27T20:00:00.123Z",
		}));
		const r = run(["table", ...NOW, dataDir({ "example.org": oneDsn })]);
		expect(r.stderr).toBe("");
		expect(r.stdout.split("\n").filter(Boolean)).toHaveLength(40);
	});

	test("several data dirs (one per MX host) merge into one map", () => {
		const a = dataDir({
			"example.org": [
				{ addr: "rua@example.net", time: "2026-11-20T00:00:00Z" },
			],
		});
		const b = dataDir({
			"example.com": [
				{ addr: "rua@example.net", time: "2026-11-25T00:00:00Z" },
			],
		});
		expect(run(["table", ...NOW, a, b]).stdout).toBe(
			"rua@example.net discard:reports for example.com,example.org bounced 20261125 last time\n",
		);
	});

	test("--prune drops records that can no longer count and old quarantined messages", () => {
		const dir = dataDir({
			"old.example": [
				{ addr: "gone@example.net", time: "2025-01-01T00:00:00Z" },
			],
			"example.org": [
				{ addr: "rua@example.net", time: "2026-11-20T00:00:00Z" },
			],
		});
		utimesSync(
			join(dir, "domains", "old.example"),
			new Date("2025-01-01"),
			new Date("2025-01-01"),
		);
		mkdirSync(join(dir, "saved"));
		writeFileSync(join(dir, "saved", "OLD.no-delivery-report"), "x");
		utimesSync(
			join(dir, "saved", "OLD.no-delivery-report"),
			new Date("2026-01-01"),
			new Date("2026-01-01"),
		);
		writeFileSync(join(dir, "saved", "NEW.no-delivery-report"), "y");
		const r = run(["table", "--prune", dir], "", { VERBOSE: "1" });
		expect(r.status).toBe(0);
		expect(r.stderr).toContain("pruned");
		expect(listDir(join(dir, "domains"))).toEqual(["example.org"]);
		expect(listDir(join(dir, "saved"))).toEqual(["NEW.no-delivery-report"]);
		expect(readFileSync(join(dir, "domains", "example.org"), "utf8")).toContain(
			"rua@example.net",
		);
	});
});

test("the surge breaker keeps the keys of the map being replaced and adds none", () => {
	const old = [{ addr: "old@example.net", time: "2026-11-27T10:00:00Z" }];
	const many = Array.from({ length: 25 }, (_, i) => ({
		addr: `r${i}@example.net`,
		time: `2026-11-27T20:00:${String(i).padStart(2, "0")}Z`,
	}));
	const dir = dataDir({ "example.org": [...old, ...many] });
	const previous = join(tempDataDir(), "map");
	writeFileSync(
		previous,
		"old@example.net discard:report for example.org bounced 20261127 last time\n",
	);
	const r = run(["table", ...NOW, "--previous", previous, dir]);
	expect(r.stdout).toBe(
		"old@example.net discard:report for example.org bounced 20261127 last time\n",
	);
});

test("files table writes into a data dir (as root from cron) belong to the dir's owner", () => {
	const dir = dataDir({
		"example.org": [{ addr: "rua@example.net", time: "2026-11-20T00:00:00Z" }],
	});
	// as root (CI, cron) the data dir belongs to the pipe user; otherwise to us already
	if (process.getuid?.() === 0) chownSync(dir, 65534, 65534);
	run(["table", ...NOW, "--release", "rua@example.net", dir]);
	run(["table", ...NOW, "--confirm-surge", dir]);
	const owner = statSync(dir).uid;
	expect([
		statSync(join(dir, "released")).uid,
		statSync(join(dir, "surge-confirmed")).uid,
	]).toEqual([owner, owner]);
});

/** A record at a real time relative to the real clock (for runs without --now). */
function daysAgo(days: number): string {
	return new Date(Date.now() - days * 86_400_000).toISOString();
}

describe("a warning is news once (issue 13)", () => {
	test("a second run over an unchanged data dir prints nothing on stderr", () => {
		const dir = dataDir({
			"example.org": [
				{ addr: "rua@example.net", time: daysAgo(1) },
				{
					addr: "dmarc@example.com",
					time: daysAgo(1),
					status: "5.7.26",
					diag: "550 5.7.26 Unauthenticated email is not accepted due to domain's DMARC policy",
				},
			],
		});
		const first = run(["table", dir]);
		expect(first.status).toBe(0);
		expect(first.stderr).toContain("rejected us for sender-side reasons");
		const second = run(["table", dir]);
		expect([second.status, second.stdout, second.stderr]).toEqual([
			0,
			first.stdout,
			"",
		]);
		// a new fact is news again, and only then
		// (in a new domain file: ingest would also write the journal, this test does not)
		writeFileSync(
			join(dir, "domains", "example.net"),
			`${JSON.stringify({
				report_domain: "example.net",
				action: "failed",
				status: "5.7.1",
				final_rcpt: "other@example.com",
				orig_rcpt: "other@example.com",
				diag_code: "550 5.7.1 rejected by DMARC policy",
				date: "",
				time: daysAgo(0.5),
				cause: "sender",
			})}\n`,
			{ flag: "a" },
		);
		expect(run(["table", dir]).stderr).toContain(
			"WARNING: 2 report recipients rejected us",
		);
		expect(run(["table", dir]).stderr).toBe("");
	});

	test("a surge is said once, then at most daily; --confirm-surge silences it at once", () => {
		const many = Array.from({ length: 25 }, (_, i) => ({
			addr: `r${i}@example.net`,
			time: new Date(Date.now() - 3_600_000 - i * 1000).toISOString(),
		}));
		const dir = dataDir({ "example.org": many });
		expect(run(["table", dir]).stderr).toContain(
			"WARNING: 25 addresses started bouncing",
		);
		expect(run(["table", dir]).stderr).toBe("");
		// a day later the operator is reminded, once
		const warned = JSON.parse(readFileSync(join(dir, "warned"), "utf8"));
		warned.surge -= 86_400_000;
		writeFileSync(join(dir, "warned"), JSON.stringify(warned));
		expect(run(["table", dir]).stderr).toContain(
			"WARNING: 25 addresses started bouncing",
		);
		expect(run(["table", dir]).stderr).toBe("");
		const confirmed = run(["table", "--confirm-surge", dir]);
		expect(confirmed.stderr).toBe("");
		expect(confirmed.stdout.split("\n").filter(Boolean)).toHaveLength(25);
		const json = JSON.parse(run(["table", "--format", "json", dir]).stdout);
		expect(json.surge.tripped).toBe(false);
	});

	test("--now shows every warning and remembers nothing", () => {
		const dir = dataDir({
			"example.org": [
				{
					addr: "rua@example.net",
					time: "2026-11-27T00:00:00Z",
					cause: "sender",
				},
			],
		});
		expect(run(["table", ...NOW, dir]).stderr).toContain("WARNING");
		expect(run(["table", ...NOW, dir]).stderr).toContain("WARNING");
		// journal/ is an index of domains/ (any run may build it), not stored state
		expect(listDir(dir).filter((n) => n !== "journal")).toEqual(["domains"]);
	});
});

describe("--now and the clock (issue 13)", () => {
	const dir = dataDir({
		"example.org": [{ addr: "rua@example.net", time: daysAgo(1) }],
	});

	test.each([
		"2026-02-30",
		"2026-13-01",
		"-1",
		"garbage",
		"2026-11-28T25:00:00Z",
		"",
	])("--now %p is a usage error (64)", (value) => {
		const r = run(["table", "--now", value, dir]);
		expect([r.status, r.stdout]).toEqual([64, ""]);
		expect(r.stderr).toContain("--now takes a real date");
	});

	test("real dates and times are taken", () => {
		expect(run(["table", "--now", "2024-02-29", dir]).status).toBe(0);
		expect(
			run(["table", "--now", "2026-11-28T10:00:00+01:00", dir]).status,
		).toBe(0);
	});

	test("--now never changes stored state: prune and confirm-surge act at the real time", () => {
		const d = dataDir({
			"example.org": [{ addr: "rua@example.net", time: daysAgo(1) }],
		});
		const before = readFileSync(join(d, "domains", "example.org"), "utf8");
		expect(run(["table", "--prune", "--now", "2028-01-01", d]).status).toBe(0);
		expect(readFileSync(join(d, "domains", "example.org"), "utf8")).toBe(
			before,
		);
		run(["table", "--confirm-surge", "--now", "2027-12-31", d]);
		const at = Date.parse(
			readFileSync(join(d, "surge-confirmed"), "utf8").trim(),
		);
		expect(Math.abs(at - Date.now())).toBeLessThan(3_600_000);
	});

	test("a record dated after now counts as now, and is reported once", () => {
		const d = dataDir({
			"example.org": [
				{ addr: "ahead@example.net", time: "2099-01-01T00:00:00Z" },
			],
		});
		const first = run(["table", d]);
		expect(first.stdout).toMatch(/^ahead@example\.net discard:/);
		expect(first.stderr).toContain("1 records are dated after now");
		const second = run(["table", d]);
		expect([second.stdout, second.stderr]).toEqual([first.stdout, ""]);
		// it counts from when table first saw it, not from 2099
		const json = JSON.parse(run(["table", "--format", "json", d]).stdout);
		expect(Date.parse(json.entries[0].until) - Date.now()).toBeLessThan(
			31 * 86_400_000,
		);
	});
});

describe("operator actions (issue 13)", () => {
	test("--release is repeatable and says when an address was not on the map", () => {
		const dir = dataDir({
			"example.org": [
				{ addr: "a@example.net", time: daysAgo(2) },
				{ addr: "b@example.net", time: daysAgo(3) },
			],
		});
		const r = run([
			"table",
			"--release",
			"A@example.net",
			"--release=b@EXAMPLE.net",
			"--release",
			"nobody@example.net",
			dir,
		]);
		expect([r.status, r.stdout]).toEqual([0, ""]);
		expect(r.stderr).toContain("released a@example.net: off the map");
		expect(r.stderr).toContain("released b@example.net: off the map");
		expect(r.stderr).toContain("nobody@example.net was not on the map");
		expect(run(["table", dir]).stdout).toBe("");
		expect(readFileSync(join(dir, "released"), "utf8")).not.toContain(
			"nobody@",
		);
	});

	test("an invalid --release among valid ones releases nothing (64)", () => {
		const dir = dataDir({
			"example.org": [{ addr: "a@example.net", time: daysAgo(2) }],
		});
		const r = run([
			"table",
			"--release",
			"a@example.net",
			"--release",
			"example.net",
			dir,
		]);
		expect(r.status).toBe(64);
		// journal/ is an index of domains/ (any run may build it), not stored state
		expect(listDir(dir).filter((n) => n !== "journal")).toEqual(["domains"]);
	});

	test("--prune drops old records inside a file that is still written to", () => {
		const dir = dataDir({
			"example.org": [
				{ addr: "old@example.net", time: "2024-01-01T00:00:00Z" },
				{ addr: "new@example.net", time: daysAgo(1) },
			],
		});
		const r = run(["table", "--prune", dir]);
		expect([r.status, r.stderr]).toEqual([0, ""]);
		const text = readFileSync(join(dir, "domains", "example.org"), "utf8");
		expect(text).toContain("new@example.net");
		expect(text).not.toContain("old@example.net");
		expect(listDir(join(dir, "domains"))).toEqual(["example.org"]);
	});

	test("--prune puts back what a prune that died had set aside, and handles the longest names", () => {
		const long = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(53)}.example`;
		expect(long).toHaveLength(253);
		const dir = dataDir({
			[long]: [
				{ addr: "old@example.net", time: "2024-01-01T00:00:00Z" },
				{ addr: "keep@example.net", time: daysAgo(1) },
			],
		});
		writeFileSync(
			join(dir, "domains", ".~example.org"),
			`${JSON.stringify({ report_domain: "example.org", action: "failed", orig_rcpt: "aside@example.net", time: daysAgo(2) })}\n`,
		);
		expect(run(["table", "--prune", dir]).status).toBe(0);
		expect(listDir(join(dir, "domains"))).toEqual([long, "example.org"].sort());
		expect(readFileSync(join(dir, "domains", "example.org"), "utf8")).toContain(
			"aside@example.net",
		);
		const text = readFileSync(join(dir, "domains", long), "utf8");
		expect([text.includes("keep@"), text.includes("old@")]).toEqual([
			true,
			false,
		]);
	});

	test("a map built while a prune rewrites a file still holds that file's records", () => {
		const dir = dataDir({ "example.org": [] });
		writeFileSync(
			join(dir, "domains", ".~example.org"),
			`${JSON.stringify({ report_domain: "example.org", action: "failed", orig_rcpt: "aside@example.net", time: "2026-11-27T00:00:00Z" })}\n`,
		);
		expect(run(["table", ...NOW, dir]).stdout).toBe(
			"aside@example.net discard:report for example.org bounced 20261127 last time\n",
		);
	});

	test("a file still written to is rewritten once a record is a day past the horizon, not for each one", () => {
		// the horizon is --max-days + --heal-days: 270 days by default
		const dir = dataDir({
			"example.org": [
				{ addr: "aging@example.net", time: daysAgo(270.5) },
				{ addr: "new@example.net", time: daysAgo(1) },
			],
		});
		const file = join(dir, "domains", "example.org");
		const inode = statSync(file).ino;
		expect(run(["table", "--prune", dir]).status).toBe(0);
		expect(statSync(file).ino).toBe(inode);
		writeFileSync(
			file,
			`${JSON.stringify({ report_domain: "example.org", action: "failed", orig_rcpt: "old@example.net", time: daysAgo(272) })}\n`,
			{ flag: "a" },
		);
		expect(run(["table", "--prune", dir]).status).toBe(0);
		const text = readFileSync(file, "utf8");
		expect(["aging@", "old@", "new@"].map((a) => text.includes(a))).toEqual([
			false,
			false,
			true,
		]);
	});

	test("--prune validates every option before it deletes anything", () => {
		const dir = dataDir({
			"old.example": [
				{ addr: "old@example.net", time: "2024-01-01T00:00:00Z" },
			],
		});
		mkdirSync(join(dir, "saved"));
		writeFileSync(join(dir, "saved", "Q.no-delivery-report"), "x");
		utimesSync(join(dir, "saved", "Q.no-delivery-report"), 0, 0);
		for (const bad of [
			["--saved-days", "x"],
			["--saved-max-mb", "-1"],
			["--heal-days", "99999"],
			["--format", "yaml"],
			["--release", "not-an-address"],
		])
			expect(run(["table", "--prune", ...bad, dir]).status).toBe(64);
		// a second dir that is not a data dir: nothing is pruned in the first either
		expect(run(["table", "--prune", dir, tempDataDir()]).status).toBe(66);
		expect(listDir(join(dir, "domains"))).toEqual(["old.example"]);
		expect(listDir(join(dir, "saved"))).toEqual(["Q.no-delivery-report"]);
	});

	test("--prune keeps saved/ under its quota, oldest first", () => {
		const dir = dataDir({ "example.org": [] });
		mkdirSync(join(dir, "saved"));
		const mb = "x".repeat(600 * 1024);
		for (const [i, name] of ["A", "B", "C"].entries()) {
			writeFileSync(join(dir, "saved", `${name}.too-large`), mb);
			const t = new Date(Date.now() - (3 - i) * 3_600_000);
			utimesSync(join(dir, "saved", `${name}.too-large`), t, t);
		}
		expect(run(["table", "--prune", "--saved-max-mb", "1", dir]).status).toBe(
			0,
		);
		expect(listDir(join(dir, "saved"))).toEqual(["C.too-large"]);
	});

	test("exit codes: --prune without domains/ 66, a data dir we may not read 74", () => {
		const empty = tempDataDir();
		const r = run(["table", "--prune", empty]);
		expect(r.status).toBe(66);
		expect(r.stderr).toContain("not a data dir");
		// an empty new data dir is still an empty map
		expect(run(["table", empty]).status).toBe(0);
		const locked = join(tempDataDir(), "locked");
		mkdirSync(locked, { mode: 0o700 });
		chmodSync(dirname(locked), 0o755);
		if (process.getuid?.() !== 0) chmodSync(locked, 0);
		const asNobody = spawnSync(BIN, ["table", locked], {
			encoding: "utf8",
			env: { PATH: "/usr/bin:/bin" },
			...(process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}),
		});
		expect([asNobody.status, asNobody.stdout]).toEqual([74, ""]);
	});

	test("a data dir without domains/ (not mounted?) never empties a map in use: 66", () => {
		const unmounted = tempDataDir();
		const map = join(tempDataDir(), "map");
		const line =
			"rua@example.net discard:report for example.org bounced 20261120 last time\n";
		writeFileSync(map, line);
		const r = run(["table", "--output", map, unmounted]);
		expect(r.status).toBe(66);
		expect(r.stderr).toContain("not mounted?");
		expect(readFileSync(map, "utf8")).toBe(line);
		// a new data dir with an empty map in use is simply empty
		writeFileSync(map, "");
		expect(run(["table", "--output", map, unmounted]).status).toBe(0);
	});

	test("a second prune waits for the first (its lock) instead of failing", async () => {
		const dir = dataDir({
			"example.org": [
				{ addr: "old@example.net", time: "2024-01-01T00:00:00Z" },
			],
		});
		// a live process holds the lock for about a second
		const holder = spawn("sleep", ["1"]);
		writeFileSync(join(dir, "prune.lock"), `${holder.pid}\n`);
		const r = await runAsync(["table", "--prune", dir], "");
		expect([r.status, r.stderr]).toEqual([0, ""]);
		// journal/ is an index of domains/ (any run may build it), not stored state
		expect(listDir(dir).filter((n) => n !== "journal")).toEqual(["domains"]);
		expect(listDir(join(dir, "domains"))).toEqual([]);
		// a lock left by a process that is gone is taken over
		writeFileSync(join(dir, "prune.lock"), "999999999\n");
		expect(run(["table", "--prune", dir]).status).toBe(0);
		// journal/ is an index of domains/ (any run may build it), not stored state
		expect(listDir(dir).filter((n) => n !== "journal")).toEqual(["domains"]);
	}, 20_000);

	test("prune never loses a record that ingest appends meanwhile (attack 16)", async () => {
		const dir = dataDir({ "example.org": [] });
		const file = join(dir, "domains", "example.org");
		const old = `${JSON.stringify({ report_domain: "example.org", action: "failed", final_rcpt: "old@example.net", orig_rcpt: "old@example.net", date: "20240101", time: "2024-01-01T00:00:00Z" })}\n`;
		const ingests = Array.from({ length: 30 }, (_, i) =>
			runAsync(
				["ingest", `Q${i}`, "", dir],
				makeDsn({
					recipients: [{ address: `rua${i}@bounce.test` }],
					subject: REPORT_SUBJECT,
				}),
			),
		);
		// every prune finds an old record, so each one rewrites the file
		const prunes: Promise<unknown>[] = [];
		for (let i = 0; i < 15; i++) {
			writeFileSync(file, old, { flag: "a" });
			prunes.push(runAsync(["table", "--prune", dir], ""));
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		const done = await Promise.all(ingests);
		await Promise.all(prunes);
		expect(done.every((r) => r.status === 0)).toBe(true);
		const text = readFileSync(file, "utf8");
		for (let i = 0; i < 30; i++) expect(text).toContain(`rua${i}@bounce.test`);
		expect(listDir(join(dir, "domains"))).toEqual(["example.org"]);
	});
});
