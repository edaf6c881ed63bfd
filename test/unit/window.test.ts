import { describe, expect, test } from "bun:test";
import { CAUSES } from "../../src/policy/cause.ts";
import {
	DAY_MS,
	episodes,
	type Failure,
	windowDays,
} from "../../src/policy/window.ts";

const POLICY = {
	days: 30,
	maxDays: 90,
	healDays: 180,
	causes: new Set(CAUSES),
};
const T0 = Date.UTC(2026, 0, 1);
const at = (day: number, domain = "example.org"): Failure => ({
	at: T0 + day * DAY_MS,
	domain,
	cause: "recipient",
});

describe("episodes", () => {
	test("a first bounce: the original's window, counted from the newest failure", () => {
		const [only, ...rest] = episodes([at(0), at(10, "example.com")], POLICY);
		expect(rest).toEqual([]);
		expect(only).toEqual({
			number: 1,
			start: T0,
			lastBounce: T0 + 10 * DAY_MS,
			until: T0 + 40 * DAY_MS,
			domains: ["example.com", "example.org"],
			cause: "recipient",
		});
	});

	test("bouncing again after the second chance: 30, 60, then 90 days, capped", () => {
		const found = episodes([at(0), at(31), at(92), at(183), at(274)], POLICY);
		expect(
			found.map((e) => [e.number, (e.until - e.lastBounce) / DAY_MS]),
		).toEqual([
			[1, 30],
			[2, 60],
			[3, 90],
			[4, 90],
			[5, 90],
		]);
	});

	test("the count heals after a clean period", () => {
		const found = episodes([at(0), at(31), at(31 + 60 + 181)], POLICY);
		expect(found.map((e) => e.number)).toEqual([1, 2, 1]);
	});

	test("only counted causes take part; the rest never start an episode", () => {
		const sender: Failure = { ...at(5), cause: "sender" };
		const policy = { ...POLICY, causes: new Set(["recipient" as const]) };
		expect(episodes([sender], policy)).toEqual([]);
		expect(episodes([sender, at(6)], policy).map((e) => e.start)).toEqual([
			T0 + 6 * DAY_MS,
		]);
	});

	test("days 0 lists nothing, as MIN_AGE=0 did", () => {
		const [only] = episodes([at(0)], { ...POLICY, days: 0 });
		expect(only?.until).toBe(only?.lastBounce);
	});

	test("windowDays never goes below the first window", () => {
		expect(windowDays(3, { ...POLICY, days: 60, maxDays: 30 })).toBe(60);
	});
});
