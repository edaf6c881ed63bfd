import { DAY_MS } from "../policy/window.ts";

/** A warning for cron to mail, and the facts it is about. */
export interface Warning {
	/** One key per fact (an address, a surge): a new key makes the warning news. */
	readonly keys: readonly string[];
	readonly text: string;
	/** Said again once a day while it lasts (it needs the operator to act). */
	readonly remindDaily: boolean;
}

export interface News {
	readonly say: readonly Warning[];
	/** The state to keep: each current key and when it was first (or last) said. */
	readonly state: ReadonlyMap<string, number>;
}

/**
 * A warning is news once (issue 13): it is said when one of its facts is new, a
 * warning that needs the operator is said again at most once a day, and nothing is
 * said for facts already told. Keys whose condition is gone are forgotten, so the
 * same condition coming back later is news again.
 */
export function news(
	warnings: readonly Warning[],
	said: ReadonlyMap<string, number>,
	now: number,
): News {
	const say: Warning[] = [];
	const state = new Map<string, number>();
	for (const warning of warnings) {
		const fresh = warning.keys.some((key) => !said.has(key));
		const last = Math.max(...warning.keys.map((key) => said.get(key) ?? now));
		const remind = warning.remindDaily && now - last >= DAY_MS;
		if (fresh || remind) say.push(warning);
		for (const key of warning.keys) {
			const before = said.get(key);
			state.set(key, before === undefined || remind ? now : before);
		}
	}
	return { say, state };
}

/** The key of a record dated after the clock: its value is when table first saw it. */
export function futureKey(address: string, at: number): string {
	return `future ${address} ${new Date(at).toISOString()}`;
}

export function sameState(
	a: ReadonlyMap<string, number>,
	b: ReadonlyMap<string, number>,
): boolean {
	if (a.size !== b.size) return false;
	for (const [key, value] of a) if (b.get(key) !== value) return false;
	return true;
}
