import { describe, expect, test } from "bun:test";
import {
	chownSync,
	mkdirSync,
	readFileSync,
	statSync,
	utimesSync,
	writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { listDir, run, tempDataDir } from "./support/cli.ts";

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
			"WARNING: 25 bounce messages brought new addresses in the last 24 hours",
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
