import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { CAUSES, type Cause, DEFAULT_CAUSES } from "../../src/policy/cause.ts";
import {
	DAY_MS,
	type Failure,
	type WindowPolicy,
} from "../../src/policy/window.ts";
import { evaluate } from "../../src/table/evaluate.ts";
import {
	FailureStore,
	halfSipHash13,
	hashBytes,
	Interner,
} from "../../src/table/failure-store.ts";

const STORE = join(import.meta.dir, "../../src/table/failure-store.ts");

const NOW = Date.UTC(2026, 11, 6, 12);
const POLICY: WindowPolicy = {
	days: 30,
	maxDays: 90,
	healDays: 180,
	causes: DEFAULT_CAUSES,
};

/** mulberry32: the same histories on every run. */
function random(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

describe("Interner", () => {
	test("finds each string by its bytes, through growth, and makes its text once", () => {
		const interner = new Interner();
		const words = Array.from({ length: 5000 }, (_, i) => `w${i}@example.net`);
		words.push("ümlaut@example.net", "");
		const ids = words.map((w) => interner.intern(w));
		expect(new Set(ids).size).toBe(words.length);
		expect(words.map((w) => interner.intern(w))).toEqual(ids);
		expect(words.map((w) => interner.findText(w))).toEqual(ids);
		expect(ids.map((id) => interner.text(id))).toEqual(words);
		expect(interner.text(ids[0] as number)).toBe(
			interner.text(ids[0] as number),
		);
		expect(interner.findText("w5000@example.net")).toBe(-1);
		const bytes = Buffer.from('["w17@example.net"]');
		expect(
			interner.find(
				bytes,
				2,
				bytes.length - 2,
				hashBytes(bytes, 2, bytes.length - 2),
			),
		).toBe(ids[17] as number);
	});
});

/** HalfSipHash-c-d as the reference halfsiphash.c computes it, 32-bit output. */
function referenceHalfSipHash(
	bytes: Uint8Array,
	k0: number,
	k1: number,
	c: number,
	d: number,
): number {
	const v = [k0, k1, 0x6c796765 ^ k0, 0x74656462 ^ k1];
	const rotl = (x: number, b: number) => (x << b) | (x >>> (32 - b));
	const round = () => {
		const [a0, a1, a2, a3] = v as [number, number, number, number];
		let x0 = (a0 + a1) | 0;
		let x1 = rotl(a1, 5) ^ x0;
		x0 = rotl(x0, 16);
		let x2 = (a2 + a3) | 0;
		let x3 = rotl(a3, 8) ^ x2;
		x0 = (x0 + x3) | 0;
		x3 = rotl(x3, 7) ^ x0;
		x2 = (x2 + x1) | 0;
		x1 = rotl(x1, 13) ^ x2;
		x2 = rotl(x2, 16);
		v.splice(0, 4, x0, x1, x2, x3);
	};
	const absorb = (m: number) => {
		v[3] = (v[3] as number) ^ m;
		for (let i = 0; i < c; i++) round();
		v[0] = (v[0] as number) ^ m;
	};
	const full = bytes.length - (bytes.length % 4);
	for (let i = 0; i < full; i += 4)
		absorb(
			new DataView(bytes.buffer, bytes.byteOffset + i, 4).getInt32(0, true),
		);
	let last = bytes.length << 24;
	for (let i = full; i < bytes.length; i++)
		last |= (bytes[i] as number) << (8 * (i - full));
	absorb(last);
	v[2] = (v[2] as number) ^ 0xff;
	for (let i = 0; i < d; i++) round();
	return ((v[1] as number) ^ (v[3] as number)) >>> 0;
}

describe("halfSipHash13", () => {
	// the reference's key and inputs: bytes 00 01 02 ... of each length
	const K0 = 0x03020100;
	const K1 = 0x07060504;
	const input = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);

	test("the reference model gives the published HalfSipHash-2-4 vectors", () => {
		// veorq/SipHash vectors.h, vectors_hsip32[0..7]
		const published = [
			0x5b9f35a9, 0xb85a4727, 0x03a662fa, 0x04e7fe8a, 0x89466e2a, 0x69b6fac5,
			0x23fc6358, 0xc563cf8b,
		];
		expect(
			published.map((_, n) => referenceHalfSipHash(input(n), K0, K1, 2, 4)),
		).toEqual(published);
	});

	test("is HalfSipHash-1-3 of every length and offset", () => {
		for (let n = 0; n < 40; n++) {
			const padded = Uint8Array.from([9, 9, 9, ...input(n), 9]);
			expect(halfSipHash13(padded, 3, 3 + n, K0, K1) >>> 0).toBe(
				referenceHalfSipHash(input(n), K0, K1, 1, 3),
			);
		}
	});
});

describe("hashBytes", () => {
	test("is keyed per process: a sender cannot pick addresses that collide", () => {
		const text = "rua@example.net";
		const bytes = Buffer.from(`"${text}"`);
		const here = hashBytes(bytes, 1, bytes.length - 1);
		expect(hashBytes(Buffer.from(text), 0, text.length)).toBe(here);
		// the same bytes in two other processes: other keys, other hashes
		const script = `import { hashBytes } from ${JSON.stringify(STORE)}; const b = Buffer.from(${JSON.stringify(text)}); console.log(hashBytes(b, 0, b.length));`;
		const elsewhere = [0, 1].map(() =>
			Number(
				spawnSync(process.execPath, ["-e", script], {
					encoding: "utf8",
				}).stdout.trim(),
			),
		);
		expect(elsewhere.every(Number.isInteger)).toBe(true);
		expect(new Set([here, ...elsewhere]).size).toBe(3);
	});

	test("spreads similar addresses over the table: no slot group is crowded", () => {
		// 1000 addresses that differ in one digit, into 4096 slots (the load Interner keeps)
		const counts = new Map<number, number>();
		for (let i = 0; i < 1000; i++) {
			const b = Buffer.from(`rua${i}@example.net`);
			const slot = hashBytes(b, 0, b.length) & 4095;
			counts.set(slot, (counts.get(slot) ?? 0) + 1);
		}
		expect(Math.max(...counts.values())).toBeLessThanOrEqual(6);
		expect(counts.size).toBeGreaterThan(800);
	});
});

describe("FailureStore.byAddress", () => {
	test("lists each address's older history first, each group in the order added", () => {
		const store = new FailureStore();
		const f = (at: number): Failure => ({
			at,
			domain: "example.org",
			cause: "recipient",
		});
		store.add("a@example.net", f(5));
		store.add("b@example.net", f(6));
		store.add("a@example.net", f(7));
		store.add("a@example.net", f(1), true);
		store.add("b@example.net", f(2), true);
		store.add("a@example.net", f(3), true);
		const { offsets, order } = store.byAddress();
		const ats = (id: number) =>
			[...order.subarray(offsets[id], offsets[id + 1])].map((i) => store.at[i]);
		expect(ats(0)).toEqual([1, 3, 5, 7]);
		expect(ats(1)).toEqual([2, 6]);
		expect(store.has("a@example.net")).toBe(true);
		expect(store.has("c@example.net")).toBe(false);
	});
});

/** Random histories with everything evaluate() treats apart: ours, expiries, disorder, the future. */
function histories(seed: number): Map<string, Failure[]> {
	const next = random(seed);
	const pick = <T>(list: readonly T[]): T =>
		list[Math.floor(next() * list.length)] as T;
	const out = new Map<string, Failure[]>();
	for (let a = 0; a < 150; a++) {
		const n = 1 + Math.floor(next() * 6);
		let at = NOW - Math.floor(next() * 300 * DAY_MS);
		const list: Failure[] = [];
		for (let i = 0; i < n; i++) {
			list.push({
				at,
				domain: pick(["a.example", "b.example", "c.example", "unknown"]),
				cause: next() < 0.8 ? "recipient" : (pick(CAUSES) as Cause),
				expired: next() < 0.08,
			});
			// mostly in time order, now and then back in time, rarely into the future
			at += Math.floor((next() - 0.1) * (next() < 0.15 ? 150 : 60) * DAY_MS);
		}
		// several failures of one DSN share its time and report domain
		if (next() < 0.1) list.push({ ...(list[0] as Failure) });
		out.set(`r${a}@m${a % 7}.example`, list);
	}
	return out;
}

describe("evaluate's plain path", () => {
	// A release at -Infinity forgets nothing, but sends every address down the general
	// path (an object per failure, episodes() itself): both paths must agree on all.
	for (let seed = 1; seed <= 25; seed++)
		test(`gives what the general path gives (histories ${seed})`, () => {
			const failures = histories(seed);
			const surge = { min: 2, factor: 2, confirmedAt: 0 };
			const options = { clock: NOW + 3 * DAY_MS };
			// a short healing period in every other run: counts that start again
			const policy =
				seed % 2 === 0 ? { ...POLICY, maxDays: 60, healDays: 20 } : POLICY;
			const plain = evaluate(failures, NOW, policy, surge, new Map(), options);
			const general = evaluate(
				failures,
				NOW,
				policy,
				surge,
				new Map([...failures.keys()].map((a) => [a, -Infinity])),
				options,
			);
			expect(plain).toEqual(general);
			expect(plain.entries.length).toBeGreaterThan(10);
		});

	test("the surge breaker counts the same messages on both paths", () => {
		// a burst of new addresses today, each its own DSN, trips the breaker
		const failures = new Map<string, Failure[]>();
		for (let i = 0; i < 30; i++)
			failures.set(`new${i}@example.net`, [
				{ at: NOW - i * 1000, domain: `d${i}.example`, cause: "recipient" },
			]);
		const surge = { min: 5, factor: 5, confirmedAt: 0 };
		const plain = evaluate(failures, NOW, POLICY, surge);
		const general = evaluate(
			failures,
			NOW,
			POLICY,
			surge,
			new Map([...failures.keys()].map((a) => [a, -Infinity])),
		);
		expect(plain.surge.tripped).toBe(true);
		expect(plain.surge.today).toBe(30);
		expect(plain.entries.every((e) => e.hold === "surge")).toBe(true);
		expect(plain).toEqual(general);
	});
});
