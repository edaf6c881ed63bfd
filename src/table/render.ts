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
	const listed = evaluation.entries.filter((e) => e.listed);
	switch (format) {
		case "transport":
			return listed.map((e) => `${e.address} discard:${reason(e)}\n`).join("");
		case "access":
			return listed
				.map((e) => `${e.address} ${options.accessAction} ${reason(e)}\n`)
				.join("");
		case "list":
			return listed.map((e) => `${e.address}\n`).join("");
		case "json":
			return `${JSON.stringify(toJson(evaluation, options.now), null, 2)}\n`;
	}
}

/** Past this many, the map line names the first ones and counts the rest. */
const MAX_NAMED_DOMAINS = 3;

function reason(entry: Entry): string {
	const named = entry.domains.map((d) =>
		d === UNKNOWN_DOMAIN ? "an unknown domain" : d,
	);
	const shown = named.slice(0, MAX_NAMED_DOMAINS).join(",");
	const more =
		named.length > MAX_NAMED_DOMAINS
			? ` and ${named.length - MAX_NAMED_DOMAINS} more`
			: "";
	const noun = named.length > 1 ? "reports" : "report";
	return `${noun} for ${shown}${more} bounced ${yyyymmdd(new Date(entry.lastBounce))} last time`;
}

function toJson(evaluation: Evaluation, now: number) {
	const iso = (ms: number) => new Date(ms).toISOString();
	return {
		generated: iso(now),
		surge: evaluation.surge,
		entries: evaluation.entries.map((e) => ({
			address: e.address,
			listed: e.listed,
			hold: e.hold,
			domains: e.domains,
			cause: e.cause,
			first_bounce: iso(e.firstBounce),
			last_bounce: iso(e.lastBounce),
			episode: e.episode,
			until: iso(e.until),
		})),
	};
}
