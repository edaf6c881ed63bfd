import { describe, expect, test } from "bun:test";
import { CAUSES } from "../../src/policy/cause.ts";
import type { DomainFile } from "../../src/state/data-dir.ts";
import { UNKNOWN_DOMAIN } from "../../src/state/record.ts";
import { collectFailures } from "../../src/table/collect.ts";
import { type Entry, evaluate } from "../../src/table/evaluate.ts";
import { render } from "../../src/table/render.ts";

const NO_SURGE = { min: 0, factor: 5, confirmedAt: 0 };

/** The plain window of the original tool: every cause counts, no repeat escalation. */
function listSuppressed(files: DomainFile[], now: number, days: number) {
	const policy = {
		days,
		maxDays: days,
		healDays: 180,
		causes: new Set(CAUSES),
	};
	return evaluate(collectFailures(files), now, policy, NO_SURGE)
		.entries.filter((e) => e.listed)
		.map((e) => ({
			address: e.address,
			domains: e.domains,
			lastBounce: e.lastBounce,
		}));
}

type Listed = {
	address: string;
	domains: readonly string[];
	lastBounce: number;
};

function renderTransportMap(listed: Listed[]): string {
	const entries: Entry[] = listed.map((l) => ({
		...l,
		listed: true,
		hold: null,
		cause: "recipient",
		firstBounce: l.lastBounce,
		episode: 1,
		until: l.lastBounce,
	}));
	const surge = { tripped: false, today: 0, baseline: 0, threshold: 0 };
	return render({ entries, surge }, "transport", {
		accessAction: "REJECT",
		now: 0,
	});
}

const DAY = 86_400_000;
const NOW = Date.UTC(2024, 2, 1, 12, 0, 0);

/** One of our records, `daysAgo` days before NOW. */
function ours(address: string, daysAgo: number, action = "failed"): string {
	const at = new Date(NOW - daysAgo * DAY);
	return JSON.stringify({
		report_domain: "x",
		action,
		status: "5.1.1",
		final_rcpt: address,
		orig_rcpt: address,
		diag_code: null,
		date: at.toISOString().slice(0, 10).replaceAll("-", ""),
		time: at.toISOString(),
		queue_id: "Q1",
		reporting_mta: null,
		remote_mta: null,
		detector: "rfc3464",
	});
}

/** The original tool's record: date only, no time. */
function original(address: string, date: string, action = "failed"): string {
	return `{"action": "${action}", "final_rcpt": "${address}", "orig_rcpt": "${address}", "diag_code": null, "status": "5.1.1", "report_domain": "x", "date": "${date}"}`;
}

function file(name: string, ...lines: string[]): DomainFile {
	return { name, mtimeMs: NOW - DAY, text: `${lines.join("\n")}\n` };
}

const keys = (files: DomainFile[], days = 30) =>
	listSuppressed(files, NOW, days).map((l) => l.address);

describe("listSuppressed", () => {
	test("the window: younger than `days` is listed, exactly `days` old is not", () => {
		const files = [
			file(
				"example.org",
				ours("fresh@example.net", 0),
				ours("edge-in@example.net", 30 - 1 / DAY),
				ours("edge-out@example.net", 30),
				ours("old@example.net", 45),
			),
		];
		expect(keys(files)).toEqual(["edge-in@example.net", "fresh@example.net"]);
		expect(keys(files, 90)).toEqual([
			"edge-in@example.net",
			"edge-out@example.net",
			"fresh@example.net",
			"old@example.net",
		]);
		expect(keys(files, 1)).toEqual(["fresh@example.net"]);
	});

	test("the original tool's date-only records count from midnight UTC", () => {
		// NOW is 2024-03-01 12:00 UTC; 2024-01-31 00:00 is 30.5 days before
		const files = [
			file(
				"example.org",
				original("in@example.net", "20240201"),
				original("out@example.net", "20240131"),
			),
		];
		expect(keys(files)).toEqual(["in@example.net"]);
	});

	test("the newest failure counts, in any file and on any line", () => {
		const files = [
			file(
				"example.org",
				ours("rua@example.net", 2),
				ours("rua@example.net", 60),
			),
			file("example.com", ours("rua@example.net", 50)),
			file("example.net", ours("dmarc@example.net", 60)),
			file("example.test", ours("dmarc@example.net", 3)),
		];
		const listed = listSuppressed(files, NOW, 30);
		expect(listed).toEqual([
			{
				address: "dmarc@example.net",
				domains: ["example.test"],
				lastBounce: NOW - 3 * DAY,
			},
			{
				address: "rua@example.net",
				domains: ["example.org"],
				lastBounce: NOW - 2 * DAY,
			},
		]);
	});

	test("several report domains for one address: one entry naming both", () => {
		const files = [
			file("example.org", ours("rua@example.net", 1)),
			file("example.com", ours("rua@example.net", 5)),
		];
		const listed = listSuppressed(files, NOW, 30);
		expect(listed).toHaveLength(1);
		expect(listed[0]?.domains).toEqual(["example.com", "example.org"]);
		expect(renderTransportMap(listed)).toBe(
			"rua@example.net discard:reports for example.com,example.org bounced 20240229 last time\n",
		);
	});

	test("only action failed counts; the original tool's successes are not listed", () => {
		const files = [
			file(
				"example.org",
				original("ok@example.net", "20240229", "delivered"),
				original("relay@example.net", "20240229", "relayed"),
				ours("late@example.net", 1, "delayed"),
				ours("odd@example.net", 1, "unknown"),
				ours("notfailed@example.net", 1, "not failed"),
				original("dead@example.net", "20240229", "failed"),
				original("upper@example.net", "20240229", "Failed (bad mailbox)"),
			),
		];
		expect(keys(files)).toEqual(["dead@example.net", "upper@example.net"]);
	});

	test("the original tool's raw recipient fields are read like DSN address fields", () => {
		// It stored Final-/Original-Recipient minus a lower-case "rfc822;" only: Sendmail's
		// "RFC822; addr" and bracketed addresses reached its data files as they were
		const files = [
			file(
				"example.org",
				original("RFC822; sendmail@example.net", "20240229"),
				original("<bracket@example.net>", "20240229"),
				original("RFC822; <both@example.net>", "20240229"),
			),
		];
		expect(keys(files)).toEqual([
			"both@example.net",
			"bracket@example.net",
			"sendmail@example.net",
		]);
	});

	test("keys are lowercased, unique and sorted", () => {
		const files = [
			file(
				"example.org",
				ours("Zed@Example.NET", 1),
				ours("alpha@example.net", 1),
				ours("ZED@example.net", 2),
				ours("zed@EXAMPLE.net.", 3),
				ours("Beta@Bücher.example", 1),
			),
		];
		expect(keys(files)).toEqual([
			"alpha@example.net",
			"beta@xn--bcher-kva.example",
			"zed@example.net",
		]);
	});

	test("invalid keys are dropped", () => {
		const files = [
			file(
				"example.org",
				ours("example.net", 1),
				ours("@example.net", 1),
				ours("*@example.net", 1),
				ours("evil@example.net discard:x", 1),
				ours("evil@example.net\nfoo@example.com", 1),
				ours("rua@localhost", 1),
				ours("", 1),
				ours("kept@example.net", 1),
			),
		];
		expect(keys(files)).toEqual(["kept@example.net"]);
	});

	test("files whose names are not valid domains are skipped; _unknown is kept", () => {
		const files = [
			file("..", ours("dotdot@example.net", 1)),
			file("localhost", ours("single@example.net", 1)),
			file(".hidden", ours("hidden@example.net", 1)),
			file("example.org.tmp~", ours("tmp@example.net", 1)),
			file(UNKNOWN_DOMAIN, ours("unknown@example.net", 1)),
			file("EXAMPLE.Org", ours("upper@example.net", 1)),
		];
		const listed = listSuppressed(files, NOW, 30);
		expect(listed.map((l) => [l.address, l.domains])).toEqual([
			["unknown@example.net", [UNKNOWN_DOMAIN]],
			["upper@example.net", ["example.org"]],
		]);
		expect(renderTransportMap(listed)).toContain(
			"unknown@example.net discard:report for an unknown domain bounced",
		);
	});

	test("torn and garbage lines are skipped, the rest still read", () => {
		const torn = ours("torn@example.net", 1).slice(0, 40);
		const files = [
			file(
				"example.org",
				"garbage",
				`${torn}${ours("after@example.net", 1)}`,
				torn,
				"",
				"[]",
				ours("last@example.net", 1),
			),
		];
		expect(keys(files)).toEqual(["after@example.net", "last@example.net"]);
	});

	test("an empty data dir lists nothing", () => {
		expect(listSuppressed([], NOW, 30)).toEqual([]);
		expect(renderTransportMap([])).toBe("");
	});
});

describe("renderTransportMap", () => {
	test("the original tool's line format", () => {
		expect(
			renderTransportMap([
				{
					address: "rua@example.net",
					domains: ["example.org"],
					lastBounce: Date.UTC(2024, 0, 1, 23, 59),
				},
			]),
		).toBe(
			"rua@example.net discard:report for example.org bounced 20240101 last time\n",
		);
	});

	test("no line breaks inside values: one line per key, whatever the records hold", () => {
		const files = [
			file(
				"example.org",
				ours("a@example.net", 1),
				ours("b@example.net\r\nc@example.net discard:", 1),
				'{"action": "failed\\nx", "orig_rcpt": "d@example.net", "date": "20240229"}',
				'{"action": "failed", "orig_rcpt": "e@example.net\\n", "date": "20240229"}',
			),
			file("example.com\nx.test", ours("f@example.net", 1)),
		];
		const listed = listSuppressed(files, NOW, 30);
		const map = renderTransportMap(listed);
		const lines = map.split("\n");
		expect(lines.pop()).toBe("");
		expect(lines).toHaveLength(listed.length);
		for (const line of lines)
			expect(line).toMatch(
				/^[^\s@]+@[a-z0-9.-]+ discard:reports? for [a-z0-9.,_ -]+ bounced \d{8} last time$/,
			);
		expect(lines.map((l) => l.split(" ")[0])).toEqual(
			expect.arrayContaining([
				"a@example.net",
				"d@example.net",
				"e@example.net",
			]),
		);
		expect(map).not.toContain("c@example.net");
	});
});

test("renderTransportMap names at most three domains and counts the rest", () => {
	const line = renderTransportMap([
		{
			address: "rua@example.net",
			domains: [
				"a.example",
				"b.example",
				"c.example",
				"d.example",
				"e.example",
			],
			lastBounce: NOW,
		},
	]);
	expect(line).toBe(
		"rua@example.net discard:reports for a.example,b.example,c.example and 2 more bounced 20240301 last time\n",
	);
});

describe("issue 12: keys", () => {
	const at = NOW - DAY;
	const one = (address: string) => ({
		address,
		domains: ["example.org"],
		lastBounce: at,
	});

	test("an A-label domain is keyed under its U-label too, sorted", () => {
		expect(
			renderTransportMap([one("rua@xn--bcher-kva.example"), one("a@x.example")])
				.split("\n")
				.map((l) => l.split(" ")[0]),
		).toEqual([
			"a@x.example",
			"rua@bücher.example",
			"rua@xn--bcher-kva.example",
			"",
		]);
	});

	test("a key postmap would fold or read as a comment is never written", () => {
		const map = renderTransportMap([
			one("straße@x.example"),
			one("#hash@x.example"),
			one("ok@x.example"),
		]);
		expect(map).toBe(
			`ok@x.example discard:report for example.org bounced ${yyyymmddOf(at)} last time\n`,
		);
	});
});

function yyyymmddOf(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10).replaceAll("-", "");
}
