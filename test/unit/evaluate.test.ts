import { describe, expect, test } from "bun:test";
import { DEFAULT_CAUSES } from "../../src/policy/cause.ts";
import { DAY_MS, type Failure } from "../../src/policy/window.ts";
import { evaluate } from "../../src/table/evaluate.ts";
import { render } from "../../src/table/render.ts";

const POLICY = { days: 30, maxDays: 90, healDays: 180, causes: DEFAULT_CAUSES };
const OFF = { min: 0, factor: 5, confirmedAt: Number.NEGATIVE_INFINITY };
const NOW = Date.UTC(2026, 10, 28, 12);
const ago = (days: number, cause: Failure["cause"] = "recipient"): Failure => ({
	at: NOW - days * DAY_MS,
	domain: "example.org",
	cause,
});

describe("evaluate", () => {
	test("listed while the window runs, with the episode and its end", () => {
		const { entries } = evaluate(
			new Map([["rua@example.net", [ago(5)]]]),
			NOW,
			POLICY,
			OFF,
		);
		expect(entries).toEqual([
			{
				address: "rua@example.net",
				listed: true,
				hold: null,
				domains: ["example.org"],
				cause: "recipient",
				firstBounce: NOW - 5 * DAY_MS,
				lastBounce: NOW - 5 * DAY_MS,
				episode: 1,
				until: NOW + 25 * DAY_MS,
			},
		]);
	});

	test("failures after --now do not count (evaluating the past)", () => {
		const { entries } = evaluate(
			new Map([["rua@example.net", [ago(-1)]]]),
			NOW,
			POLICY,
			OFF,
		);
		expect(entries).toEqual([]);
	});

	test("sender-side failures are reported, never listed", () => {
		const { entries } = evaluate(
			new Map([["rua@example.net", [ago(1, "sender")]]]),
			NOW,
			POLICY,
			OFF,
		);
		expect(entries.map((e) => [e.address, e.listed, e.hold])).toEqual([
			["rua@example.net", false, "sender-side"],
		]);
		expect(
			render(
				{
					entries,
					surge: { tripped: false, today: 0, baseline: 0, threshold: 0 },
				},
				"transport",
				{
					accessAction: "REJECT",
					now: NOW,
				},
			),
		).toBe("");
	});

	test("a release forgets the failures before it", () => {
		const failures = new Map([["rua@example.net", [ago(5)]]]);
		const released = new Map([["rua@example.net", NOW - 1 * DAY_MS]]);
		expect(evaluate(failures, NOW, POLICY, OFF, released).entries).toEqual([]);
		const again = new Map([["rua@example.net", [ago(5), ago(0.5)]]]);
		expect(
			evaluate(again, NOW, POLICY, OFF, released).entries.map((e) => e.listed),
		).toEqual([true]);
	});

	describe("the surge breaker", () => {
		const surge = { min: 10, factor: 5, confirmedAt: Number.NEGATIVE_INFINITY };
		// each address from its own DSN: a message is a domain and a write time
		const many = (n: number, daysAgo: number) =>
			Array.from(
				{ length: n },
				(_, i) =>
					[`r${daysAgo}-${i}@example.net`, [ago(daysAgo + i / 1000)]] as const,
			);

		test("a day with far more new addresses than usual holds the new ones back", () => {
			const failures = new Map([
				...many(2, 10),
				...many(2, 3),
				...many(11, 0.5),
			]);
			const { entries, surge: s } = evaluate(failures, NOW, POLICY, surge);
			expect(s).toMatchObject({ tripped: true, today: 11, threshold: 10 });
			expect(entries.filter((e) => e.hold === "surge")).toHaveLength(11);
			expect(entries.filter((e) => e.listed)).toHaveLength(4);
		});

		test("a usual day does not trip it", () => {
			const failures = new Map([...many(10, 0.5)]);
			expect(evaluate(failures, NOW, POLICY, surge).surge.tripped).toBe(false);
		});

		test("an operator's confirmation lets the held ones in", () => {
			const failures = new Map([...many(11, 0.5)]);
			const confirmed = { ...surge, confirmedAt: NOW };
			const { entries, surge: s } = evaluate(failures, NOW, POLICY, confirmed);
			// confirmed: the surge is over at once (--format json says so too)
			expect(s).toMatchObject({ tripped: false, today: 0 });
			expect(entries.every((e) => e.listed)).toBe(true);
		});

		test("one DSN naming many addresses is one message: it never trips it (attack 8)", () => {
			const oneDsn = Array.from(
				{ length: 500 },
				(_, i) => [`forged${i}@example.net`, [ago(0.5)]] as const,
			);
			const { entries, surge: s } = evaluate(
				new Map(oneDsn),
				NOW,
				POLICY,
				surge,
			);
			expect(s).toMatchObject({ tripped: false, today: 1 });
			expect(entries.every((e) => e.listed)).toBe(true);
		});

		test("a message is a report domain and a time: DSNs of the same millisecond count apart by domain", () => {
			// 12 DSNs written in the same millisecond, for 12 report domains, each naming
			// three addresses: 12 messages, above the threshold of 10
			const at = NOW - 0.5 * DAY_MS;
			const failures = new Map(
				Array.from({ length: 36 }, (_, i) => [
					`r${i}@example.net`,
					[{ at, domain: `d${i % 12}.example`, cause: "recipient" as const }],
				]),
			);
			expect(evaluate(failures, NOW, POLICY, surge).surge).toMatchObject({
				tripped: true,
				today: 12,
			});
		});

		test("new messages after a confirmation can trip it again", () => {
			const failures = new Map([...many(11, 0.5)]);
			const earlier = { ...surge, confirmedAt: NOW - 0.6 * DAY_MS };
			expect(evaluate(failures, NOW, POLICY, earlier).surge.tripped).toBe(true);
		});
	});

	describe("records dated after the clock (a clock that ran ahead)", () => {
		const clock = NOW;
		const future = {
			at: NOW + 400 * DAY_MS,
			domain: "example.org",
			cause: "recipient" as const,
		};

		test("count as now, not from their date, and are reported", () => {
			const r = evaluate(
				new Map([["rua@example.net", [future]]]),
				NOW,
				POLICY,
				OFF,
				new Map(),
				{ clock },
			);
			expect(r.entries.map((e) => [e.listed, e.until])).toEqual([
				[true, NOW + 30 * DAY_MS],
			]);
			expect(r.future).toEqual([
				{ address: "rua@example.net", at: future.at, countsAs: NOW },
			]);
		});

		test("count from when table first saw them, so they expire and can be released", () => {
			const failures = new Map([["rua@example.net", [future]]]);
			const seenLongAgo = { clock, firstSeen: () => NOW - 31 * DAY_MS };
			expect(
				evaluate(failures, NOW, POLICY, OFF, new Map(), seenLongAgo).entries,
			).toEqual([]);
			const seen = { clock, firstSeen: () => NOW - 5 * DAY_MS };
			expect(
				evaluate(failures, NOW, POLICY, OFF, new Map(), seen).entries.map(
					(e) => e.until,
				),
			).toEqual([NOW + 25 * DAY_MS]);
			const released = new Map([["rua@example.net", NOW - DAY_MS]]);
			expect(
				evaluate(failures, NOW, POLICY, OFF, released, seen).entries,
			).toEqual([]);
		});

		test("a record after --now but before the clock is simply not yet (evaluating the past)", () => {
			const r = evaluate(
				new Map([["rua@example.net", [ago(-1)]]]),
				NOW,
				POLICY,
				OFF,
				new Map(),
				{ clock: NOW + 5 * DAY_MS },
			);
			expect([r.entries, r.future]).toEqual([[], []]);
		});
	});
});
