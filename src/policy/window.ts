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
	const counted = failures
		.filter((f) => policy.causes.has(f.cause))
		.sort((a, b) => a.at - b.at);
	const out: Episode[] = [];
	let members: Failure[] = [];
	let current: Omit<Episode, "domains" | "cause"> | undefined;
	const close = () => {
		if (!current) return;
		const domains = [...new Set(members.map((f) => f.domain))].sort();
		out.push({
			...current,
			domains,
			cause: members[members.length - 1]?.cause ?? "unknown",
		});
	};
	for (const failure of counted) {
		if (current === undefined || failure.at > current.until) {
			const healed =
				current === undefined ||
				failure.at - current.until > policy.healDays * DAY_MS;
			const number = healed ? 1 : (current?.number ?? 0) + 1;
			close();
			members = [];
			current = {
				number,
				start: failure.at,
				lastBounce: failure.at,
				until: failure.at,
			};
		}
		members.push(failure);
		current = {
			...current,
			lastBounce: failure.at,
			until: failure.at + windowDays(current.number, policy) * DAY_MS,
		};
	}
	close();
	return out;
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
