import { readFileSync } from "node:fs";
import { join } from "node:path";
import { errnoCode } from "../errors.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import { appendLines } from "./data-dir.ts";

/** An operator's decisions, kept in the data dir next to domains/ and saved/. */
export const RELEASED = "released";
export const SURGE_CONFIRMED = "surge-confirmed";

/** Releases an address by hand: failures up to `at` no longer count for it. */
export function releaseAddress(dir: string, address: string, at: number): void {
	appendLines(join(dir, RELEASED), [
		JSON.stringify({ address, at: new Date(at).toISOString() }),
	]);
}

/** The newest release time per address, over every data dir. */
export function readReleases(dirs: readonly string[]): Map<string, number> {
	const releases = new Map<string, number>();
	for (const dir of dirs) {
		for (const line of readOptional(join(dir, RELEASED)).split("\n")) {
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
		const value = Date.parse(readOptional(join(dir, SURGE_CONFIRMED)).trim());
		if (!Number.isNaN(value)) at = Math.max(at, value);
	}
	return at;
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

function readOptional(file: string): string {
	try {
		return readFileSync(file, "utf8");
	} catch (error) {
		if (errnoCode(error) === "ENOENT") return "";
		throw error;
	}
}
