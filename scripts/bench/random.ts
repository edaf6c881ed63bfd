// A small seeded PRNG (mulberry32): fuzz runs and generated data are reproducible
// from their seed alone.

export interface Rng {
	/** Uniform in [0, 1). */
	next(): number;
	/** Integer in [0, n). */
	int(n: number): number;
	/** Integer in [lo, hi]. */
	range(lo: number, hi: number): number;
	pick<T>(items: readonly T[]): T;
	chance(p: number): boolean;
	bytes(n: number): Uint8Array;
}

export function rng(seed: number): Rng {
	let state = seed >>> 0;
	const next = (): number => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (n: number): number => Math.floor(next() * n);
	return {
		next,
		int,
		range: (lo, hi) => lo + int(hi - lo + 1),
		pick: <T>(items: readonly T[]): T => {
			const item = items[int(items.length)];
			if (item === undefined) throw new Error("pick from an empty list");
			return item;
		},
		chance: (p) => next() < p,
		bytes: (n) => {
			const out = new Uint8Array(n);
			for (let i = 0; i < n; i++) out[i] = int(256);
			return out;
		},
	};
}

/** A seed from the environment (FUZZ_SEED) or the clock; printed so a run can be repeated. */
export function seedFrom(value: string | undefined): number {
	if (value !== undefined && /^\d+$/.test(value)) return Number(value) >>> 0;
	return (Date.now() ^ (process.pid << 16)) >>> 0;
}
