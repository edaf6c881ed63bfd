import { join } from "node:path";
import { writeFileAtomic } from "./atomic-write.ts";
import { appendLines } from "./data-dir.ts";
import { readRegular } from "./safe-fs.ts";

/** An operator's decisions, kept in the data dir next to domains/ and saved/. */
export const RELEASED = "released";
export const SURGE_CONFIRMED = "surge-confirmed";
/** Which warnings table has already said, and when (a warning is news once). */
export const WARNED = "warned";

/** Releases addresses by hand: failures up to `at` no longer count for them. */
export function releaseAddresses(
	dir: string,
	addresses: readonly string[],
	at: number,
): void {
	if (addresses.length === 0) return;
	appendLines(
		join(dir, RELEASED),
		addresses.map((address) =>
			JSON.stringify({ address, at: new Date(at).toISOString() }),
		),
	);
}

/** Releases an address by hand: failures up to `at` no longer count for it. */
export function releaseAddress(dir: string, address: string, at: number): void {
	releaseAddresses(dir, [address], at);
}

/** The newest release time per address, over every data dir. */
export function readReleases(dirs: readonly string[]): Map<string, number> {
	const releases = new Map<string, number>();
	for (const dir of dirs) {
		for (const line of readRegular(join(dir, RELEASED)).split("\n")) {
			const entry = parse(line);
			if (!entry) continue;
			releases.set(
				entry.address,
				Math.max(releases.get(entry.address) ?? 0, entry.at),
			);
		}
	}
	return releases;
}

/** Confirms a surge: episodes that started up to `at` may enter the map. */
export function confirmSurge(dir: string, at: number): void {
	writeFileAtomic(
		join(dir, SURGE_CONFIRMED),
		`${new Date(at).toISOString()}\n`,
	);
}

export function readSurgeConfirmation(dirs: readonly string[]): number {
	let at = Number.NEGATIVE_INFINITY;
	for (const dir of dirs) {
		const value = Date.parse(readRegular(join(dir, SURGE_CONFIRMED)).trim());
		if (!Number.isNaN(value)) at = Math.max(at, value);
	}
	return at;
}

/** Warning keys and when each was last said; empty when unreadable or garbled. */
export function readWarned(dir: string): Map<string, number> {
	const warned = new Map<string, number>();
	const text = readRegular(join(dir, WARNED));
	let value: unknown;
	try {
		value = JSON.parse(text || "{}");
	} catch {
		return warned;
	}
	if (typeof value !== "object" || value === null) return warned;
	for (const [key, at] of Object.entries(value))
		if (typeof at === "number" && Number.isFinite(at)) warned.set(key, at);
	return warned;
}

/** Replaces the warning state atomically: concurrent table runs never tear it. */
export function writeWarned(
	dir: string,
	warned: ReadonlyMap<string, number>,
): void {
	writeFileAtomic(
		join(dir, WARNED),
		`${JSON.stringify(Object.fromEntries([...warned].sort()))}\n`,
	);
}

function parse(line: string): { address: string; at: number } | undefined {
	try {
		const value: unknown = JSON.parse(line);
		if (typeof value !== "object" || value === null) return undefined;
		const { address, at } = value as { address?: unknown; at?: unknown };
		const ms = typeof at === "string" ? Date.parse(at) : Number.NaN;
		return typeof address === "string" && !Number.isNaN(ms)
			? { address, at: ms }
			: undefined;
	} catch {
		return undefined;
	}
}
