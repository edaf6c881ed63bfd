import { describe, expect, test } from "bun:test";
import {
	closeSync,
	mkdirSync,
	openSync,
	writeFileSync,
	writeSync,
} from "node:fs";
import { join } from "node:path";
import { scanDomainFiles } from "../../src/state/journal.ts";
import { forEachLine, newLineStats } from "../../src/state/journal-lines.ts";
import { readJournal } from "../../src/state/journal-read.ts";
import {
	MAX_RECORD_LINE,
	recordLine,
	type StoredRecord,
} from "../../src/state/record.ts";
import { FailureStore } from "../../src/table/failure-store.ts";
import { tempDataDir } from "../support/cli.ts";

const RECORD: StoredRecord = {
	report_domain: "example.org",
	action: "failed",
	status: "5.1.1",
	final_rcpt: "rua@example.net",
	orig_rcpt: "rua@example.net",
	diag_code: "smtp; 550 5.1.1 user unknown",
	date: "20261127",
	time: "2026-11-27T10:00:00.000Z",
	queue_id: "4BC1D2E3F",
	reporting_mta: "mx.example.com",
	remote_mta: null,
	detector: "rfc3464",
	cause: "recipient",
};

const bytes = (text: string) => new TextEncoder().encode(text).length;

describe("recordLine", () => {
	test("an ordinary record is its plain JSON", () => {
		expect(recordLine(RECORD)).toBe(JSON.stringify(RECORD));
	});

	test("no field, however long or escaped, makes a line longer than 4 KiB", () => {
		for (const filler of ["x", "\u0001", "é", "😀", '"']) {
			const line = recordLine({
				...RECORD,
				diag_code: filler.repeat(100_000),
				reporting_mta: filler.repeat(100_000),
				remote_mta: filler.repeat(100_000),
				detector: filler.repeat(100_000),
				queue_id: filler.repeat(100_000),
			});
			expect(bytes(line) + 1).toBeLessThanOrEqual(MAX_RECORD_LINE);
			const parsed = JSON.parse(line) as StoredRecord;
			expect(parsed.orig_rcpt).toBe("rua@example.net");
			expect(parsed.date).toBe("20261127");
		}
	});
});

describe("forEachLine", () => {
	function lines(text: string | Uint8Array, maxLine: number) {
		const file = join(tempDataDir(), "f");
		writeFileSync(file, text);
		const out: string[] = [];
		const stats = newLineStats();
		forEachLine(file, maxLine, stats, (line) => out.push(line));
		return { out, stats };
	}

	test("lines as split would give them, a last line without newline included", () => {
		expect(lines("a\nbb\n\nccc", 10).out).toEqual(["a", "bb", "", "ccc"]);
	});

	test("a line over the limit is skipped and counted, its neighbours kept", () => {
		const r = lines(`a\n${"x".repeat(11)}\nb\n${"y".repeat(10)}\n`, 10);
		expect(r.out).toEqual(["a", "b", "y".repeat(10)]);
		expect(r.stats.oversized).toBe(1);
	});

	test("lines across read chunks, multi-byte characters split between them", () => {
		const long = `${"é".repeat(200_000)}\n`;
		const text = `${long}z\n${"a".repeat(300_000)}\nend\n`;
		const r = lines(text, 1_000_000);
		expect(r.out).toEqual([long.slice(0, -1), "z", "a".repeat(300_000), "end"]);
	});

	test("a file far larger than the limit streams through in bounded memory", () => {
		// 40 MB in one line between two records: with a 1 KiB limit it is skipped
		// without being held (attack 14 of issue 11, scaled down)
		const dir = tempDataDir();
		mkdirSync(join(dir, "domains"));
		const file = join(dir, "domains", "example.org");
		const fd = openSync(file, "w");
		const record = (addr: string) =>
			`${JSON.stringify({ action: "failed", orig_rcpt: addr, date: "20261127" })}\n`;
		writeSync(fd, record("first@example.net"));
		const block = Buffer.alloc(1024 * 1024, "x");
		for (let i = 0; i < 40; i++) writeSync(fd, block);
		writeSync(fd, `\n${record("second@example.net")}garbage\n`);
		closeSync(fd);
		const found: string[] = [];
		const stats = newLineStats();
		const before = process.memoryUsage().rss;
		scanDomainFiles(dir, (k) => found.push(k.address), stats, 1024);
		expect(found).toEqual(["first@example.net", "second@example.net"]);
		expect(stats).toMatchObject({ oversized: 1, garbled: 1 });
		expect(process.memoryUsage().rss - before).toBeLessThan(20 * 1024 * 1024);
	});

	test("a link or a FIFO is not read", () => {
		const dir = tempDataDir();
		const stats = newLineStats();
		writeFileSync(join(dir, "target"), "secret\n");
		Bun.spawnSync(["ln", "-s", join(dir, "target"), join(dir, "link")]);
		Bun.spawnSync(["mkfifo", join(dir, "fifo")]);
		const seen: string[] = [];
		expect(
			forEachLine(join(dir, "link"), 100, stats, (l) => seen.push(l)),
		).toBeUndefined();
		expect(
			forEachLine(join(dir, "fifo"), 100, stats, (l) => seen.push(l)),
		).toBeUndefined();
		expect(seen).toEqual([]);
	});
});

describe("readJournal", () => {
	test("a mailbox domain is checked as the full check would, read in place", () => {
		// the fast path reads a plain address's domain on the bytes: anything it calls
		// plain must be what normalizeMailbox leaves unchanged, else the map would list
		// a key the full scan refuses
		const dir = tempDataDir();
		mkdirSync(join(dir, "journal"));
		const at = Date.UTC(2026, 10, 27);
		const addresses = [
			"a@example.net",
			"b@m1.example.net",
			"c@a-b.example",
			"d@Example.net",
			"e@xn--x.example",
			"f@ex-.example",
			"g@-ex.example",
			"h@x.123",
			"i@example",
			"j@exa_mple.net",
			"k@exa..mple.net",
			`l@${"a".repeat(64)}.example`,
		];
		writeFileSync(
			join(dir, "journal", "20261127"),
			addresses
				.map((a) => `${JSON.stringify([at, "recipient", "example.org", a])}\n`)
				.join(""),
		);
		const stats = newLineStats();
		const store = new FailureStore();
		readJournal(dir, 0, Number.POSITIVE_INFINITY, true, store, stats);
		expect(addressesOf(store)).toEqual([
			"a@example.net",
			"b@m1.example.net",
			"c@a-b.example",
		]);
		expect(stats.garbled).toBe(addresses.length - 3);
	});
});

describe("readJournal's report domains", () => {
	test("still checked when they hardly repeat (the cache turned off)", () => {
		const dir = tempDataDir();
		mkdirSync(join(dir, "journal"));
		const at = Date.UTC(2026, 10, 27);
		const line = (domain: string, i: number) =>
			`${JSON.stringify([at, "recipient", domain, `rua${i}@example.net`])}\n`;
		let text = "";
		for (let i = 0; i < 6000; i++) text += line(`r${i}.example`, i);
		const bad = ["Example.org", "bad_domain.example", "x.123", "xn--x.example"];
		text += bad.map((d, i) => line(d, 6000 + i)).join("");
		text += line("r6100.example", 6100);
		writeFileSync(join(dir, "journal", "20261127"), text);
		const stats = newLineStats();
		const store = new FailureStore();
		readJournal(dir, 0, Number.POSITIVE_INFINITY, true, store, stats);
		const found = failuresOf(store).map((f) => f.domain);
		expect(found.length).toBe(6001);
		expect(found[6000]).toBe("r6100.example");
		expect(stats.garbled).toBe(bad.length);
	});
});

describe("readJournal's older history", () => {
	test("is read for the addresses already stored only, and listed before their recent failures", () => {
		const dir = tempDataDir();
		mkdirSync(join(dir, "journal"));
		const day = Date.UTC(2026, 10, 27);
		const line = (at: number, address: string) =>
			`${JSON.stringify([at, "recipient", "example.org", address])}\n`;
		writeFileSync(
			join(dir, "journal", "20261127"),
			line(day + 2, "a@example.net") +
				line(day + 3, "ümlaut@xn--bcher-kva.example"),
		);
		writeFileSync(
			join(dir, "journal", "20261001"),
			line(day - 57 * 86_400_000, "a@example.net") +
				line(day - 57 * 86_400_000 + 1, "b@example.net") +
				line(day - 57 * 86_400_000 + 2, "ümlaut@xn--bcher-kva.example") +
				// a garbled line of an address not wanted is passed over, not counted
				`[1,"recipient","bad_domain","c@example.net"]\n`,
		);
		const store = new FailureStore();
		const stats = newLineStats();
		readJournal(dir, day, Number.POSITIVE_INFINITY, true, store, stats);
		readJournal(dir, 0, day, false, store, stats, true);
		expect(addressesOf(store)).toEqual([
			"a@example.net",
			"ümlaut@xn--bcher-kva.example",
		]);
		const { offsets, order } = store.byAddress();
		const ats = (id: number) =>
			[...order.subarray(offsets[id], offsets[id + 1])].map((i) => store.at[i]);
		expect(ats(0)).toEqual([day - 57 * 86_400_000, day + 2]);
		expect(ats(1)).toEqual([day - 57 * 86_400_000 + 2, day + 3]);
		expect(store.has("b@example.net")).toBe(false);
		expect(stats.garbled).toBe(0);
	});
});

function addressesOf(store: FailureStore): string[] {
	const out: string[] = [];
	for (let id = 0; id < store.addresses.size; id++)
		out.push(store.addresses.text(id));
	return out;
}

function failuresOf(store: FailureStore) {
	const out = [];
	for (let i = 0; i < store.length; i++) out.push(store.failure(i));
	return out;
}
