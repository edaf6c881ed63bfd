import type { Cause } from "./cause.ts";

export const DAY_MS = 86_400_000;

export interface Failure {
	/** Milliseconds since the epoch. */
	readonly at: number;
	readonly domain: string;
	readonly cause: Cause;
	/** An expiry after unreachable hosts: counts only when it happens again (evaluate). */
	readonly expired?: boolean;
}

export interface WindowPolicy {
	/** The first window, in days (the original's MIN_AGE, default 30). */
	readonly days: number;
	/** Longest window for a repeat offender, in days. */
	readonly maxDays: number;
	/** A clean period this long after a window ends resets the count to a first bounce. */
	readonly healDays: number;
	readonly causes: ReadonlySet<Cause>;
}

export interface Episode {
	/** 1 for a first bounce, 2 after the first second chance, ... */
	readonly number: number;
	readonly start: number;
	readonly lastBounce: number;
	readonly until: number;
	readonly domains: readonly string[];
	readonly cause: Cause;
}

/**
 * The episodes of an address from its failures (requirements R21). An episode starts
 * with a failure and keeps the address on the map until the window after its newest
 * failure ends; a failure after that (the second chance used up) starts the next
 * episode with a longer window: days × episode number, at most maxDays. After
 * healDays without a failure the count starts again. A first bounce behaves exactly
 * like the original tool: listed while younger than `days`. Only failures of the
 * counted causes take part.
 */
export function episodes(
	failures: readonly Failure[],
	policy: WindowPolicy,
): Episode[] {
	const counted = countedInOrder(failures, policy.causes);
	const out: Episode[] = [];
	// the current episode: counted[first, i) are its failures
	let first = 0;
	let number = 0;
	let start = 0;
	let lastBounce = 0;
	let until = 0;
	for (let i = 0; i < counted.length; i++) {
		const failure = counted[i] as Failure;
		if (number === 0 || failure.at > until) {
			const healed =
				number === 0 || failure.at - until > policy.healDays * DAY_MS;
			if (number > 0)
				out.push(episode(counted, first, i, number, start, lastBounce, until));
			number = healed ? 1 : number + 1;
			first = i;
			start = failure.at;
		}
		lastBounce = failure.at;
		until = failure.at + windowDays(number, policy) * DAY_MS;
	}
	if (number > 0)
		out.push(
			episode(counted, first, counted.length, number, start, lastBounce, until),
		);
	return out;
}

/** The episode of `counted[from, to)`. */
function episode(
	counted: readonly Failure[],
	from: number,
	to: number,
	number: number,
	start: number,
	lastBounce: number,
	until: number,
): Episode {
	return {
		number,
		start,
		lastBounce,
		until,
		domains: domainsOf(counted, from, to),
		cause: counted[to - 1]?.cause ?? "unknown",
	};
}

/**
 * The failures of the counted causes, oldest first (a stable sort: the same order as
 * sorting a filtered copy). The journal gives most addresses' failures in time order
 * and of counted causes only: those are used as they are, without a copy.
 */
function countedInOrder(
	failures: readonly Failure[],
	causes: ReadonlySet<Cause>,
): readonly Failure[] {
	let previous = Number.NEGATIVE_INFINITY;
	for (let i = 0; i < failures.length; i++) {
		const f = failures[i] as Failure;
		if (f.at < previous || !causes.has(f.cause))
			return failures
				.filter((f) => causes.has(f.cause))
				.sort((a, b) => a.at - b.at);
		previous = f.at;
	}
	return failures;
}

/** The distinct report domains of `list[from, to)`, sorted. */
function domainsOf(
	list: readonly Failure[],
	from: number,
	to: number,
): string[] {
	const one = list[from]?.domain ?? "";
	let i = from + 1;
	while (i < to && list[i]?.domain === one) i++;
	if (i >= to) return [one];
	const all = new Set<string>();
	for (let j = from; j < to; j++) all.add((list[j] as Failure).domain);
	return [...all].sort();
}

export function windowDays(episode: number, policy: WindowPolicy): number {
	return Math.min(policy.days * episode, Math.max(policy.maxDays, policy.days));
}

// YYYY-MM-DD, optionally with a time and a zone (RFC 3339 §5.6 date-time)
const INSTANT =
	/^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * An RFC 3339 date (midnight UTC) or date-time; undefined for anything else, and for
 * a date that does not exist: `2026-02-30` is not 2 March, `-1` is not 2001.
 */
export function parseInstant(value: string): number | undefined {
	const m = INSTANT.exec(value.trim());
	if (!m) return undefined;
	const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
	const date = new Date(Date.UTC(year, month - 1, day));
	if (
		year < 1970 ||
		date.getUTCFullYear() !== year ||
		date.getUTCMonth() !== month - 1 ||
		date.getUTCDate() !== day
	)
		return undefined;
	if (m[4] === undefined) return date.getTime();
	if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)
		return undefined;
	const at = Date.parse(value.trim());
	return Number.isNaN(at) ? undefined : at;
}
