import { CAUSES, type Cause } from "../policy/cause.ts";
import {
	DAY_MS,
	type Episode,
	episodes,
	type Failure,
	type WindowPolicy,
	windowDays,
} from "../policy/window.ts";
import { FailureStore, grown, type Texts } from "./failure-store.ts";

/** Why an address with a current episode is not on the map. */
export type Hold = "sender-side" | "surge" | null;

export interface Entry {
	readonly address: string;
	readonly listed: boolean;
	readonly hold: Hold;
	readonly domains: readonly string[];
	readonly cause: Cause;
	readonly firstBounce: number;
	readonly lastBounce: number;
	readonly episode: number;
	readonly until: number;
}

export interface SurgePolicy {
	/** New addresses in one day below this never trip the breaker; 0 turns it off. */
	readonly min: number;
	/** Trip when a day brings more than this many times the daily average. */
	readonly factor: number;
	/** Episodes that started before this time (an operator's confirmation) pass. */
	readonly confirmedAt: number;
	/** Keys of the map being replaced: the breaker stops new keys, it keeps these. */
	readonly previous?: ReadonlySet<string>;
}

export interface Surge {
	readonly tripped: boolean;
	readonly today: number;
	readonly baseline: number;
	readonly threshold: number;
}

export interface Evaluation {
	readonly entries: readonly Entry[];
	readonly surge: Surge;
	/** Records dated after the clock (the writer's clock ran ahead): counted as `now`. */
	readonly future?: readonly FutureRecord[];
}

export interface FutureRecord {
	readonly address: string;
	/** The date the record bears. */
	readonly at: number;
	/** The time it counts as: when table first saw it, else `now`. */
	readonly countsAs: number;
}

export interface EvaluateOptions {
	/** The real time: a record dated after it is from a clock that ran ahead. */
	readonly clock?: number;
	/** When table first saw such a record (kept in the data dir), if it did. */
	readonly firstSeen?: (address: string, at: number) => number | undefined;
}

const BASELINE_DAYS = 30;

/**
 * The map's policy at `now` (issue 5): each address's current episode decides whether
 * and until when it is listed; failures before a manual release are forgotten.
 * Sender-side failures are reported, never listed. When far more addresses start
 * bouncing in the last day than usual, the new ones are held until confirmed.
 */
export function evaluate(
	failures: ReadonlyMap<string, readonly Failure[]> | FailureStore,
	now: number,
	policy: WindowPolicy,
	surgePolicy: SurgePolicy,
	releases: ReadonlyMap<string, number> = new Map(),
	options: EvaluateOptions = {},
): Evaluation {
	const store =
		failures instanceof FailureStore ? failures : FailureStore.of(failures);
	const clock = options.clock ?? Date.now();
	// only starts after this can count for the surge breaker (measureSurge)
	const startsFrom = now - (BASELINE_DAYS + 1) * DAY_MS;
	// each address's map entry (current or sender-side), made in the order of the
	// store (its columns read in order); held back by the surge breaker below
	const found: AddressEntry[] = [];
	const starts = new Starts(startsFrom);
	const future: FutureRecord[] = [];
	const { offsets, order } = store.byAddress();
	// the causes an address's failures may have for the plain path: counted, not ours
	const plainCause = new Uint8Array(CAUSES.length);
	for (let c = 0; c < CAUSES.length; c++) {
		const cause = CAUSES[c] as Cause;
		plainCause[c] = policy.causes.has(cause) && cause !== "sender" ? 1 : 0;
	}
	const limit = Math.min(now, clock);
	const context: General = {
		store,
		order,
		now,
		clock,
		policy,
		releases,
		options,
		starts,
		future,
	};
	for (let id = 0; id < store.addresses.size; id++) {
		const from = offsets[id] as number;
		const to = offsets[id + 1] as number;
		if (from === to) continue;
		if (
			plainHistory(store, order, from, to, limit, plainCause) &&
			(releases.size === 0 || !releases.has(store.addresses.text(id)))
		) {
			const entry = plainEntry(store, order, from, to, id, now, policy, starts);
			if (entry) found.push(entry);
			continue;
		}
		const address = store.addresses.text(id);
		const entry = generalEntry(address, from, to, context);
		if (entry) found.push(entry);
	}
	const surge = measureSurge(starts, store.domains, now, surgePolicy);
	future.sort((a, b) => a.at - b.at);
	const held = (address: string, start: number): boolean =>
		surge.tripped &&
		start > now - DAY_MS &&
		start > surgePolicy.confirmedAt &&
		!surgePolicy.previous?.has(address);
	// by address (AddressEntry): an address is current or sender-side, never both
	found.sort();
	const sorted = found.map(
		(e): Entry =>
			e.hold === null && held(e.address, e.firstBounce)
				? { ...e, listed: false, hold: "surge" }
				: e,
	);
	return { entries: sorted, surge, future };
}

/** What generalEntry needs of evaluate(), and where it adds starts and future records. */
interface General {
	readonly store: FailureStore;
	readonly order: Int32Array;
	readonly now: number;
	readonly clock: number;
	readonly policy: WindowPolicy;
	readonly releases: ReadonlyMap<string, number>;
	readonly options: EvaluateOptions;
	readonly starts: Starts;
	readonly future: FutureRecord[];
}

/**
 * An address's map entry from its failures `order[from, to)` as objects, through
 * episodes(): for what the plain path leaves (a release, a record dated ahead, an
 * expiry, our own failures, a cause not counted, failures out of order). The entry of
 * its current episode (hold null), else of its sender-side episode, else undefined.
 */
function generalEntry(
	address: string,
	from: number,
	to: number,
	{
		store,
		order,
		now,
		clock,
		policy,
		releases,
		options,
		starts,
		future,
	}: General,
): Entry | undefined {
	const recorded: Failure[] = [];
	for (let k = from; k < to; k++)
		recorded.push(store.failure(order[k] as number));
	// a record dated after the clock counts from when it was first seen (issue 13):
	// a clock that ran ahead must not keep an address listed until that date
	const all = anyAfter(recorded, clock)
		? recorded.map((f) => {
				if (f.at <= clock) return f;
				const countsAs = Math.min(
					options.firstSeen?.(address, f.at) ?? now,
					now,
				);
				future.push({ address, at: f.at, countsAs });
				return { ...f, at: countsAs };
			})
		: recorded;
	const released = releases.get(address) ?? Number.NEGATIVE_INFINITY;
	const list = repeatedExpiries(
		allWithin(all, released, now)
			? all
			: all.filter((f) => f.at > released && f.at <= now),
		policy,
	);
	const found = episodes(list, policy);
	for (const e of found)
		starts.push(
			e.start,
			domainIdOf(store, order, from, to, startDomain(e, list)),
		);
	const last = found[found.length - 1];
	if (last && now < last.until) return toEntry(address, last, null);
	const ours = senderSideEpisode(list, now, policy);
	return ours && toEntry(address, ours, "sender-side");
}

// Plain loops, not closures: evaluate() runs them for every address (no allocation).
function anyAfter(list: readonly Failure[], t: number): boolean {
	for (let i = 0; i < list.length; i++)
		if ((list[i] as Failure).at > t) return true;
	return false;
}

function allWithin(
	list: readonly Failure[],
	after: number,
	upTo: number,
): boolean {
	for (let i = 0; i < list.length; i++) {
		const at = (list[i] as Failure).at;
		if (!(at > after && at <= upTo)) return false;
	}
	return true;
}

function anyExpired(list: readonly Failure[]): boolean {
	for (let i = 0; i < list.length; i++)
		if ((list[i] as Failure).expired) return true;
	return false;
}

function anySender(list: readonly Failure[]): boolean {
	for (let i = 0; i < list.length; i++)
		if ((list[i] as Failure).cause === "sender") return true;
	return false;
}

/**
 * Episode starts and the message (DSN) that started each: its time and report domain
 * (FailureStore's domain id). One DSN's records share its report domain and its write
 * time to the millisecond: that pair names the message, so many addresses in one
 * forged DSN are one start.
 */
class Starts {
	at = new Float64Array(1024);
	domain = new Int32Array(1024);
	length = 0;
	/** Only starts after `from` are kept: no older one counts (measureSurge). */
	constructor(private readonly from: number) {}
	push(at: number, domain: number): void {
		if (!(at > this.from)) return;
		if (this.length === this.at.length) {
			this.at = grown(this.at);
			this.domain = grown(this.domain);
		}
		this.at[this.length] = at;
		this.domain[this.length] = domain;
		this.length++;
	}
}

/** The id of a report domain of the failures `order[from, to)` by its text. */
function domainIdOf(
	store: FailureStore,
	order: Int32Array,
	from: number,
	to: number,
	text: string,
): number {
	for (let k = from; k < to; k++) {
		const id = store.domain[order[k] as number] as number;
		if (store.domains.text(id) === text) return id;
	}
	return -1;
}

/** The report domain of the failure that started `e`. */
function startDomain(e: Episode, list: readonly Failure[]): string {
	for (let i = 0; i < list.length; i++) {
		const f = list[i] as Failure;
		if (f.at === e.start) return f.domain;
	}
	return "";
}

/**
 * Whether the failures `order[from, to)` take the plain path: in time order, none
 * after `limit` (now, the clock), none an expiry, each of a counted cause that is not
 * ours. Most addresses' are: episodes() would take them as they are.
 */
function plainHistory(
	store: FailureStore,
	order: Int32Array,
	from: number,
	to: number,
	limit: number,
	plainCause: Uint8Array,
): boolean {
	const { at, flags, cause } = store;
	let previous = Number.NEGATIVE_INFINITY;
	for (let k = from; k < to; k++) {
		const i = order[k] as number;
		const t = at[i] as number;
		if (
			t < previous ||
			t > limit ||
			((flags[i] as number) & FailureStore.EXPIRED) !== 0 ||
			plainCause[cause[i] as number] !== 1
		)
			return false;
		previous = t;
	}
	return true;
}

/**
 * episodes() on the columns of a plain history (plainHistory), without an object per
 * failure or past episode: the starts the surge breaker counts, and the map entry of
 * the current episode when there is one. No failure is ours, so no sender-side
 * episode either.
 */
function plainEntry(
	store: FailureStore,
	order: Int32Array,
	from: number,
	to: number,
	id: number,
	now: number,
	policy: WindowPolicy,
	starts: Starts,
): AddressEntry | undefined {
	const { at, domain } = store;
	let number = 0;
	let first = from;
	let start = 0;
	let lastBounce = 0;
	let until = 0;
	for (let k = from; k < to; k++) {
		const t = at[order[k] as number] as number;
		if (number === 0 || t > until) {
			const healed = number === 0 || t - until > policy.healDays * DAY_MS;
			if (number > 0)
				starts.push(start, domain[order[first] as number] as number);
			number = healed ? 1 : number + 1;
			first = k;
			start = t;
		}
		lastBounce = t;
		until = t + windowDays(number, policy) * DAY_MS;
	}
	starts.push(start, domain[order[first] as number] as number);
	if (!(now < until)) return undefined;
	return new AddressEntry(
		store.addresses.text(id),
		null,
		domainsAt(store, order, first, to),
		CAUSES[store.cause[order[to - 1] as number] as number] as Cause,
		start,
		lastBounce,
		number,
		until,
	);
}

/** The distinct report domains of the failures `order[from, to)`, sorted. */
function domainsAt(
	store: FailureStore,
	order: Int32Array,
	from: number,
	to: number,
): string[] {
	const { domain, domains } = store;
	const one = domain[order[from] as number] as number;
	let k = from + 1;
	while (k < to && domain[order[k] as number] === one) k++;
	if (k >= to) return [domains.text(one)];
	const all = new Set<string>();
	for (let j = from; j < to; j++)
		all.add(domains.text(domain[order[j] as number] as number));
	return [...all].sort();
}

/**
 * An expiry after unreachable hosts is held once (our own outage looks the same); the
 * same address expiring again on another day within the look-back (policy.days) counts,
 * both times: a dead host keeps expiring, and a burst of ours trips the surge breaker.
 */
function repeatedExpiries(
	list: readonly Failure[],
	policy: WindowPolicy,
): readonly Failure[] {
	if (!anyExpired(list)) return list;
	const day = (t: number): number => Math.floor(t / DAY_MS);
	const expiries = list.filter((f) => f.expired);
	return list.filter(
		(f) =>
			!f.expired ||
			expiries.some(
				(o) =>
					day(o.at) !== day(f.at) &&
					Math.abs(o.at - f.at) <= policy.days * DAY_MS,
			),
	);
}

/** Our own failures in the window, for the report: evaluated as if they counted. */
function senderSideEpisode(
	list: readonly Failure[],
	now: number,
	policy: WindowPolicy,
): Episode | undefined {
	if (!anySender(list)) return undefined;
	const ours = episodes(list, {
		...policy,
		causes: new Set<Cause>(["sender"]),
	});
	const last = ours[ours.length - 1];
	return last && now < last.until ? last : undefined;
}

/**
 * The breaker counts messages that brought new addresses, not addresses (issue 11,
 * attack 8: one DSN naming 21 addresses is one message and never trips it). Starts
 * up to an operator's confirmation are accepted: after `--confirm-surge` the surge
 * is over at once, and only new messages after it can trip the breaker again.
 */
function measureSurge(
	starts: Starts,
	domains: Texts,
	now: number,
	policy: SurgePolicy,
): Surge {
	const today = messages(
		starts,
		domains,
		Math.max(now - DAY_MS, policy.confirmedAt),
		now,
	);
	const before = messages(
		starts,
		domains,
		now - (BASELINE_DAYS + 1) * DAY_MS,
		now - DAY_MS,
	);
	const baseline = before / BASELINE_DAYS;
	const threshold = Math.max(policy.min, Math.ceil(policy.factor * baseline));
	return {
		tripped: policy.min > 0 && today > threshold,
		today,
		baseline,
		threshold,
	};
}

/**
 * The distinct messages (report domain and time) among the starts in (from, to]. The
 * starts are told apart by their time first (a DSN's records share it to the
 * millisecond): the times sorted, each distinct one a message; only where times are
 * equal do report domains tell messages apart, by their text (the store keeps a domain
 * once per line, so one text may have several ids).
 */
function messages(
	starts: Starts,
	domains: Texts,
	from: number,
	to: number,
): number {
	const times: number[] = [];
	for (let i = 0; i < starts.length; i++) {
		const t = starts.at[i] as number;
		if (t > from && t <= to) times.push(t);
	}
	const sorted = Float64Array.from(times).sort();
	let count = 0;
	let shared: Set<number> | undefined;
	for (let i = 0; i < sorted.length; i++)
		if (i === 0 || sorted[i] !== sorted[i - 1]) count++;
		else {
			shared ??= new Set();
			shared.add(sorted[i] as number);
		}
	if (shared === undefined) return count;
	// the rare shared times: each further report domain at one is another message
	const texts = new Map<number, Set<string>>();
	for (let i = 0; i < starts.length; i++) {
		const t = starts.at[i] as number;
		if (!(t > from && t <= to) || !shared.has(t)) continue;
		const seen = texts.get(t) ?? new Set<string>();
		seen.add(domains.text(starts.domain[i] as number));
		texts.set(t, seen);
	}
	for (const seen of texts.values()) count += seen.size - 1;
	return count;
}

function toEntry(address: string, e: Episode, hold: Hold): AddressEntry {
	return new AddressEntry(
		address,
		hold,
		e.domains,
		e.cause,
		e.start,
		e.lastBounce,
		e.number,
		e.until,
	);
}

/**
 * A map entry whose string is its address: the default sort orders such entries as it
 * orders their addresses (UTF-16 code units, as `<` compares), in one pass over their
 * strings, without a comparator call per comparison or a map from address to entry.
 */
class AddressEntry implements Entry {
	readonly listed: boolean;
	constructor(
		readonly address: string,
		readonly hold: Hold,
		readonly domains: readonly string[],
		readonly cause: Cause,
		readonly firstBounce: number,
		readonly lastBounce: number,
		readonly episode: number,
		readonly until: number,
	) {
		this.listed = hold === null;
	}
	toString(): string {
		return this.address;
	}
}
