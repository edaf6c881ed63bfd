import { describe, expect, test } from "bun:test";
import { closeSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readLinesFd } from "../../src/state/safe-fs.ts";
import { news, type Warning } from "../../src/table/news.ts";
import { tempDataDir } from "../support/cli.ts";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 6);
const surge: Warning = { keys: ["surge"], text: "surge", remindDaily: true };
const sender = (...addresses: string[]): Warning => ({
	keys: addresses.map((a) => `sender-side ${a}`),
	text: "sender",
	remindDaily: false,
});

describe("news: a warning is said once", () => {
	test("new facts are said, told ones are not, and gone ones are forgotten", () => {
		const first = news([sender("a@x.example")], new Map(), NOW);
		expect(first.say.map((w) => w.text)).toEqual(["sender"]);
		const again = news([sender("a@x.example")], first.state, NOW + 10 * DAY);
		expect(again.say).toEqual([]);
		// the first-said time stays: it is when the fact was first told
		expect([...again.state]).toEqual([["sender-side a@x.example", NOW]]);
		const more = news(
			[sender("a@x.example", "b@x.example")],
			again.state,
			NOW + 11 * DAY,
		);
		expect(more.say).toHaveLength(1);
		expect(news([], more.state, NOW + 12 * DAY).state.size).toBe(0);
	});

	test("a warning that waits for the operator is said again at most daily", () => {
		const told = news([surge], new Map(), NOW).state;
		expect(news([surge], told, NOW + DAY - 1).say).toEqual([]);
		const reminded = news([surge], told, NOW + DAY);
		expect(reminded.say).toHaveLength(1);
		expect(reminded.state.get("surge")).toBe(NOW + DAY);
	});
});

describe("readLinesFd", () => {
	test("lines across chunks, an over-long line skipped whole, a last line without a newline", () => {
		const file = join(tempDataDir(), "lines");
		const long = "x".repeat(200_000);
		writeFileSync(file, `one\n${long}\ntwo ü\n${"y".repeat(70_000)}\nthree`);
		const fd = openSync(file, "r");
		try {
			expect([...readLinesFd(fd, 100_000)].map((l) => l.slice(0, 8))).toEqual([
				"one",
				"two ü",
				"yyyyyyyy",
				"three",
			]);
		} finally {
			closeSync(fd);
		}
	});
});
