import { Buffer } from "node:buffer";
import { CAUSES, type Cause } from "../policy/cause.ts";
import type { Failure } from "../policy/window.ts";

/**
 * Strings kept as their UTF-8 bytes in one arena, by id in the order added: the
 * journal's report domains, which hardly repeat, are stored as they come. A string is
 * made on first use only (text), and kept.
 */
export class Texts {
	protected arena = Buffer.allocUnsafe(64 * 1024);
	protected used = 0;
	protected starts = new Int32Array(1024);
	protected lengths = new Int32Array(1024);
	private texts: (string | undefined)[] = [];
	size = 0;

	/** Adds `bytes[start, end)` under a new id; `text` when already made. */
	append(bytes: Uint8Array, start: number, end: number, text?: string): number {
		const id = this.size++;
		if (id === this.starts.length) {
			this.starts = grown(this.starts);
			this.lengths = grown(this.lengths);
			this.grow();
		}
		const length = end - start;
		if (this.used + length > this.arena.length) {
			const bigger = Buffer.allocUnsafe(2 * (this.arena.length + length));
			this.arena.copy(bigger, 0, 0, this.used);
			this.arena = bigger;
		}
		// short strings: a loop, not a subarray object for each
		const arena = this.arena;
		for (let k = 0; k < length; k++)
			arena[this.used + k] = bytes[start + k] as number;
		this.starts[id] = this.used;
		this.lengths[id] = length;
		this.used += length;
		this.texts.push(text);
		return id;
	}

	/** Adds a string (its UTF-8 bytes) under a new id. */
	appendText(text: string): number {
		const bytes = Buffer.from(text);
		return this.append(bytes, 0, bytes.length, text);
	}

	/** Whether `id` holds the bytes `bytes[start, end)`. */
	same(id: number, bytes: Uint8Array, start: number, end: number): boolean {
		const length = end - start;
		if (this.lengths[id] !== length) return false;
		const at = this.starts[id] as number;
		for (let k = 0; k < length; k++)
			if (this.arena[at + k] !== bytes[start + k]) return false;
		return true;
	}

	text(id: number): string {
		let text = this.texts[id];
		if (text === undefined) {
			const start = this.starts[id] as number;
			text = this.arena.toString(
				"utf8",
				start,
				start + (this.lengths[id] as number),
			);
			this.texts[id] = text;
		}
		return text;
	}

	/** Room for more ids in a subclass's own columns (starts and lengths have grown). */
	protected grow(): void {}
}

/**
 * Texts found by their bytes (a keyed hash, open addressing): reading the journal
 * looks an address up without making a string of it, and stores each distinct one
 * once.
 */
export class Interner extends Texts {
	private hashes = new Int32Array(1024);
	/** Open addressing: pairs [id, hash], an id of -1 for a free slot. */
	private slots = new Int32Array(2 * 2048).fill(-1);

	/** The id of `bytes[start, end)` (hashed by hashBytes), or -1. */
	find(bytes: Uint8Array, start: number, end: number, hash: number): number {
		// a slot is [id, hash]: a miss, the common case for older history, reads one
		const slots = this.slots;
		const mask = (slots.length >> 1) - 1;
		for (let i = hash & mask; ; i = (i + 1) & mask) {
			const id = slots[2 * i] as number;
			if (id < 0) return -1;
			if (slots[2 * i + 1] === hash && this.same(id, bytes, start, end))
				return id;
		}
	}

	/** Adds `bytes[start, end)`, which find did not find; `text` when already made. */
	add(
		bytes: Uint8Array,
		start: number,
		end: number,
		hash: number,
		text?: string,
	): number {
		const id = this.append(bytes, start, end, text);
		this.hashes[id] = hash;
		if (this.size * 2 > this.slots.length >> 1) this.rehash();
		else this.place(id, this.slots);
		return id;
	}

	/** The id of a string (its UTF-8 bytes), or -1. */
	findText(text: string): number {
		const bytes = Buffer.from(text);
		return this.find(bytes, 0, bytes.length, hashBytes(bytes, 0, bytes.length));
	}

	/** The id of a string, added when new. */
	intern(text: string): number {
		const bytes = Buffer.from(text);
		const hash = hashBytes(bytes, 0, bytes.length);
		const id = this.find(bytes, 0, bytes.length, hash);
		return id >= 0 ? id : this.add(bytes, 0, bytes.length, hash, text);
	}

	protected override grow(): void {
		this.hashes = grown(this.hashes);
	}

	private place(id: number, slots: Int32Array): void {
		const mask = (slots.length >> 1) - 1;
		const hash = this.hashes[id] as number;
		let i = hash & mask;
		while ((slots[2 * i] as number) >= 0) i = (i + 1) & mask;
		slots[2 * i] = id;
		slots[2 * i + 1] = hash;
	}

	private rehash(): void {
		const slots = new Int32Array(this.slots.length * 2).fill(-1);
		for (let id = 0; id < this.size; id++) this.place(id, slots);
		this.slots = slots;
	}
}

/** This process's hash key: table's hash tables are not predictable from outside. */
const KEY = globalThis.crypto.getRandomValues(new Uint32Array(2));
const K0 = KEY[0] as number;
const K1 = KEY[1] as number;

/**
 * HalfSipHash-1-3 of `bytes[start, end)` under this process's random key: SipHash's
 * 32-bit variant (Aumasson; reference halfsiphash.c, one compression round, three
 * finalization rounds). The journal's addresses come from DSNs anyone can send: a
 * fixed hash (FNV, the runtime's own string hash) would let a sender pick thousands of
 * colliding addresses and make every lookup of the open-addressing tables a scan.
 */
export function hashBytes(
	bytes: Uint8Array,
	start: number,
	end: number,
): number {
	return halfSipHash13(bytes, start, end, K0, K1);
}

/** HalfSipHash-1-3 of `bytes[start, end)`, 32 bits, under the key (k0, k1). */
export function halfSipHash13(
	bytes: Uint8Array,
	start: number,
	end: number,
	k0: number,
	k1: number,
): number {
	let v0 = k0;
	let v1 = k1;
	let v2 = 0x6c796765 ^ k0;
	let v3 = 0x74656462 ^ k1;
	const words = end - ((end - start) & 3);
	// the last 0-3 bytes and the length (mod 256) in the top byte
	let last = (end - start) << 24;
	for (let k = 0; words + k < end; k++)
		last |= (bytes[words + k] as number) << (8 * k);
	// one SIPROUND per word, the last word included, then three more to finish
	const absorbed = (words - start) / 4 + 1;
	for (let round = 0, i = start; round < absorbed + 3; round++, i += 4) {
		const m =
			round < absorbed - 1
				? (bytes[i] as number) |
					((bytes[i + 1] as number) << 8) |
					((bytes[i + 2] as number) << 16) |
					((bytes[i + 3] as number) << 24)
				: last;
		if (round < absorbed) v3 ^= m;
		else if (round === absorbed) v2 ^= 0xff;
		v0 = (v0 + v1) | 0;
		v1 = ((v1 << 5) | (v1 >>> 27)) ^ v0;
		v0 = (v0 << 16) | (v0 >>> 16);
		v2 = (v2 + v3) | 0;
		v3 = ((v3 << 8) | (v3 >>> 24)) ^ v2;
		v0 = (v0 + v3) | 0;
		v3 = ((v3 << 7) | (v3 >>> 25)) ^ v0;
		v2 = (v2 + v1) | 0;
		v1 = ((v1 << 13) | (v1 >>> 19)) ^ v2;
		v2 = (v2 << 16) | (v2 >>> 16);
		if (round < absorbed) v0 ^= m;
	}
	return v1 ^ v3;
}

/** A copy of a typed array at twice its length. */
export function grown<T extends Int32Array | Float64Array | Uint8Array>(
	array: T,
): T {
	const bigger = new (array.constructor as new (length: number) => T)(
		array.length * 2,
	);
	bigger.set(array);
	return bigger;
}

/**
 * The failures `table` evaluates, by address, in columns (issue 15): no object per
 * failure and no string per journal line. A failure belongs to one of two groups: the
 * older history (read second, for the addresses the recent failures name) comes
 * first in each address's list, then the recent failures, each group in the order
 * added: for the journal, time order.
 */
export class FailureStore {
	readonly addresses = new Interner();
	/** Report domains as they come (they hardly repeat): one id may share another's text. */
	readonly domains = new Texts();
	/** The domain of the last line read, which the next one often repeats (one DSN). */
	lastDomain = -1;
	at = new Float64Array(1024);
	address = new Int32Array(1024);
	domain = new Int32Array(1024);
	/** Index into CAUSES. */
	cause = new Uint8Array(1024);
	/** 1 for an expiry (it counts when it repeats), 2 for older history. */
	flags = new Uint8Array(1024);
	length = 0;

	static readonly EXPIRED = 1;
	static readonly OLDER = 2;

	push(
		address: number,
		at: number,
		cause: number,
		domain: number,
		flags: number,
	): void {
		const i = this.length++;
		if (i === this.at.length) {
			this.at = grown(this.at);
			this.address = grown(this.address);
			this.domain = grown(this.domain);
			this.cause = grown(this.cause);
			this.flags = grown(this.flags);
		}
		this.at[i] = at;
		this.address[i] = address;
		this.domain[i] = domain;
		this.cause[i] = cause;
		this.flags[i] = flags;
	}

	/** Adds a failure given as strings (tests, a domain-file scan, an odd journal line). */
	add(address: string, failure: Failure, older = false): void {
		this.push(
			this.addresses.intern(address),
			failure.at,
			CAUSES.indexOf(failure.cause),
			this.domains.appendText(failure.domain),
			(failure.expired ? FailureStore.EXPIRED : 0) |
				(older ? FailureStore.OLDER : 0),
		);
	}

	/** Whether any failure of `address` is stored. */
	has(address: string): boolean {
		return this.addresses.findText(address) >= 0;
	}

	/**
	 * Each address's failures as indexes into the columns: `order[offsets[id],
	 * offsets[id + 1])`, older history first (a counting sort, stable).
	 */
	byAddress(): { offsets: Int32Array; order: Int32Array } {
		const n = this.addresses.size;
		const offsets = new Int32Array(n + 1);
		for (let i = 0; i < this.length; i++) {
			const slot = (this.address[i] as number) + 1;
			offsets[slot] = (offsets[slot] as number) + 1;
		}
		for (let id = 0; id < n; id++)
			offsets[id + 1] = (offsets[id + 1] as number) + (offsets[id] as number);
		const next = offsets.slice(0, n);
		const order = new Int32Array(this.length);
		for (const group of [FailureStore.OLDER, 0])
			for (let i = 0; i < this.length; i++)
				if (((this.flags[i] as number) & FailureStore.OLDER) === group) {
					const id = this.address[i] as number;
					order[next[id] as number] = i;
					next[id] = (next[id] as number) + 1;
				}
		return { offsets, order };
	}

	/** The failure at column index `i` as an object. */
	failure(i: number): Failure {
		return {
			at: this.at[i] as number,
			domain: this.domains.text(this.domain[i] as number),
			cause: CAUSES[this.cause[i] as number] as Cause,
			expired: ((this.flags[i] as number) & FailureStore.EXPIRED) !== 0,
		};
	}

	/** The store of failures given by address (evaluate's tests, a domain-file scan). */
	static of(failures: ReadonlyMap<string, readonly Failure[]>): FailureStore {
		const store = new FailureStore();
		for (const [address, list] of failures)
			for (const failure of list) store.add(address, failure);
		return store;
	}
}
