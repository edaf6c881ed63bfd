import { keyHold, mapKeys } from "../dsn/mailbox.ts";
import { DAY_MS } from "../policy/window.ts";
import { UNKNOWN_DOMAIN, yyyymmdd } from "../state/record.ts";
import type { Entry, Evaluation } from "./evaluate.ts";

export const FORMATS = ["transport", "access", "list", "json"] as const;
export type Format = (typeof FORMATS)[number];

export interface RenderOptions {
	/** access(5) action for the access format: REJECT refuses that recipient only. */
	readonly accessAction: "REJECT" | "DISCARD";
	readonly now: number;
}

/**
 * One state, several consumers (issue 5):
 * - transport: Postfix transport(5) map, the original tool's format
 *   `rua@x discard:report for example.org bounced 20261128 last time`;
 * - access: Postfix access(5) map for a restriction class used only for mail from the
 *   report sender: `rua@x REJECT report for example.org bounced 20261128 last time`;
 * - list: bare addresses (rspamd's exclude-address map, OpenDMARC's no-reports list);
 * - json: every address with a current episode, listed or held, for monitoring.
 * Keys are validated addresses and values have no line breaks, whatever the records held.
 */
export function render(
	evaluation: Evaluation,
	format: Format,
	options: RenderOptions,
): string {
	return renderChunks(evaluation, format, options).join("");
}

/**
 * render() in pieces of CHUNK_LINES lines, to be written one after the other:
 * a map of a million lines is never one string, nor encoded all at once.
 */
export function renderChunks(
	evaluation: Evaluation,
	format: Format,
	options: RenderOptions,
): string[] {
	switch (format) {
		case "transport":
			return lines(evaluation.entries, "discard:");
		case "access":
			return lines(evaluation.entries, `${options.accessAction} `);
		case "list":
			return chunked(
				listedOf(evaluation.entries).map((e) => `${listItem(e.address)}\n`),
			);
		case "json":
			return [`${JSON.stringify(toJson(evaluation, options.now), null, 2)}\n`];
	}
}

/** Lines per piece of renderChunks: about 100 KB of a transport map. */
const CHUNK_LINES = 1024;

/** Lines joined into pieces of CHUNK_LINES. */
function chunked(all: readonly string[]): string[] {
	const out: string[] = [];
	for (let i = 0; i < all.length; i += CHUNK_LINES)
		out.push(all.slice(i, i + CHUNK_LINES).join(""));
	return out;
}

/** An address a map cannot hold without matching another one is never listed. */
function listedOf(entries: readonly Entry[]): Entry[] {
	return entries.filter((e) => e.listed && keyHold(e.address) === null);
}

/**
 * Map lines, sorted by key: each address under every key Postfix may look it up by
 * (mapKeys: the A-label and the U-label domain). The stripped-extension fallback of
 * indexed maps (`user+ext@domain`, then `user@domain`) is stopped where the map is used
 * (README, "Outputs"): the key here is only ever the whole address that bounced.
 */
function lines(entries: readonly Entry[], action: string): string[] {
	const value = (e: Entry) => `${action}${reason(e)}`;
	// entries come sorted by address: while every listed address is a plain key (its
	// only key, never held), the lines are in key order already and need no sort
	let previous = "";
	for (const e of entries) {
		if (!e.listed) continue;
		if (!plainKey(e.address) || !(e.address > previous))
			return sortedLines(listedOf(entries), value);
		previous = e.address;
	}
	const out: string[] = [];
	let piece: string[] = [];
	for (const e of entries) {
		if (!e.listed) continue;
		piece.push(`${e.address} ${value(e)}\n`);
		if (piece.length === CHUNK_LINES) {
			out.push(piece.join(""));
			piece = [];
		}
	}
	if (piece.length > 0) out.push(piece.join(""));
	return out;
}

function sortedLines(entries: readonly Entry[], value: (e: Entry) => string) {
	const out = entries.flatMap((e) =>
		mapKeys(e.address).map((key) => [key, value(e)] as const),
	);
	out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
	return chunked(out.map(([key, v]) => `${key} ${v}\n`));
}

/**
 * Whether an address is its only map key and never held, in one look at each
 * character: lowercase ASCII (case folding changes none: keyHold), its local part not
 * starting with `#`, and no A-label (`xn--`, the only reason for a second key: mapKeys).
 */
function plainKey(address: string): boolean {
	if (address.charCodeAt(0) === 0x23) return false;
	for (let i = 0; i < address.length; i++) {
		const c = address.charCodeAt(i);
		if (c >= 0x80 || (c >= 0x41 && c <= 0x5a)) return false;
		// the second `-` of `xn--`
		if (
			c === 0x2d &&
			i >= 3 &&
			address.charCodeAt(i - 1) === 0x2d &&
			address.charCodeAt(i - 2) === 0x6e &&
			address.charCodeAt(i - 3) === 0x78
		)
			return false;
	}
	return true;
}

/**
 * A list line never starts with `-` (read as an option by whatever takes the list as
 * arguments): such a local part is written quoted, the same address (RFC 5321 §4.1.2).
 */
function listItem(address: string): string {
	return address.startsWith("-")
		? `"${address.slice(0, address.lastIndexOf("@"))}"${address.slice(address.lastIndexOf("@"))}`
		: address;
}

/** Past this many, the map line names the first ones and counts the rest. */
const MAX_NAMED_DOMAINS = 3;

/** yyyymmdd of each day met: entries bounced on a few hundred days at most. */
const DAY_TEXT = new Map<number, string>();
function dayOf(at: number): string {
	const day = Math.floor(at / DAY_MS);
	let text = DAY_TEXT.get(day);
	if (text === undefined) {
		if (DAY_TEXT.size >= 4096) DAY_TEXT.clear();
		text = yyyymmdd(new Date(at));
		DAY_TEXT.set(day, text);
	}
	return text;
}

function reason(entry: Entry): string {
	const { domains } = entry;
	const last = dayOf(entry.lastBounce);
	const only = domains.length === 1 ? domains[0] : undefined;
	if (only !== undefined && only !== UNKNOWN_DOMAIN)
		return `report for ${only} bounced ${last} last time`;
	const named = domains.map((d) =>
		d === UNKNOWN_DOMAIN ? "an unknown domain" : d,
	);
	const shown = named.slice(0, MAX_NAMED_DOMAINS).join(",");
	const more =
		named.length > MAX_NAMED_DOMAINS
			? ` and ${named.length - MAX_NAMED_DOMAINS} more`
			: "";
	const noun = named.length > 1 ? "reports" : "report";
	return `${noun} for ${shown}${more} bounced ${last} last time`;
}

function toJson(evaluation: Evaluation, now: number) {
	const iso = (ms: number) => new Date(ms).toISOString();
	return {
		generated: iso(now),
		surge: evaluation.surge,
		entries: evaluation.entries.map((e) => ({
			address: e.address,
			listed: e.listed && keyHold(e.address) === null,
			hold: e.hold ?? keyHold(e.address),
			domains: e.domains,
			cause: e.cause,
			first_bounce: iso(e.firstBounce),
			last_bounce: iso(e.lastBounce),
			episode: e.episode,
			until: iso(e.until),
		})),
	};
}
