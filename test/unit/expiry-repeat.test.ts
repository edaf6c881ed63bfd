import { describe, expect, test } from "bun:test";
import { DEFAULT_CAUSES } from "../../src/policy/cause.ts";
import { DAY_MS, type Failure } from "../../src/policy/window.ts";
import { collectFailures } from "../../src/table/collect.ts";
import { evaluate } from "../../src/table/evaluate.ts";

// issue 14 item 3: an expiry after unreachable hosts is held once; the same address
// expiring again on another day within the look-back goes on the map
const POLICY = { days: 30, maxDays: 90, healDays: 180, causes: DEFAULT_CAUSES };
const OFF = { min: 0, factor: 5, confirmedAt: Number.NEGATIVE_INFINITY };
const NOW = Date.UTC(2026, 10, 28, 12);
const expiry = (daysAgo: number): Failure => ({
	at: NOW - daysAgo * DAY_MS,
	domain: "example.org",
	cause: "recipient",
	expired: true,
});
const listed = (failures: Failure[]) =>
	evaluate(new Map([["rua@example.net", failures]]), NOW, POLICY, OFF)
		.entries.filter((e) => e.listed)
		.map((e) => [e.address, (NOW - e.firstBounce) / DAY_MS]);

describe("repeated expiries", () => {
	test("one expiry is held", () => {
		expect(listed([expiry(2)])).toEqual([]);
	});

	test("two expiries on the same day are still held (one outage)", () => {
		expect(listed([expiry(2), expiry(2.1)])).toEqual([]);
	});

	test("an expiry again on another day within the look-back is listed from the first", () => {
		expect(listed([expiry(10), expiry(2)])).toEqual([["rua@example.net", 10]]);
	});

	test("expiries further apart than the look-back stay held", () => {
		expect(
			listed([expiry(29), { ...expiry(29), at: NOW - 65 * DAY_MS }]),
		).toEqual([]);
	});

	test("an ordinary failure is listed whatever the expiries", () => {
		const failure: Failure = { ...expiry(3), expired: false };
		expect(listed([failure])).toEqual([["rua@example.net", 3]]);
	});

	test("collectFailures marks stored expiries from their status and diagnostic", () => {
		const line = (date: string, status: string, diag: string) =>
			JSON.stringify({
				report_domain: "example.org",
				action: "failed",
				status,
				final_rcpt: "rua@example.net",
				orig_rcpt: "rua@example.net",
				diag_code: diag,
				date: date.replaceAll("-", ""),
				time: `${date}T12:00:00.000Z`,
				queue_id: "Q1",
				reporting_mta: null,
				remote_mta: null,
				detector: "rfc3464",
				cause: "unknown",
			});
		const text = [
			line(
				"2026-11-20",
				"4.4.7",
				"X-Postfix; connect to mx.example.net[192.0.2.1]:25: Connection refused",
			),
			line("2026-11-21", "5.1.1", "smtp; 550 5.1.1 User unknown"),
		].join("\n");
		const found = collectFailures([
			{ name: "example.org", text, mtimeMs: NOW },
		]).get("rua@example.net");
		expect(found?.map((f) => f.expired)).toEqual([true, false]);
	});
});
