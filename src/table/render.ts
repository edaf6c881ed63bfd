import { decodeAddressField } from "../dsn/address.ts";
import { normalizeMailbox } from "../dsn/mailbox.ts";
import { normalizeDomain } from "../report/domain.ts";
import type { DomainFile } from "../state/data-dir.ts";
import { parseRecordLine, UNKNOWN_DOMAIN, yyyymmdd } from "../state/record.ts";

const DAY_MS = 86_400_000;

export interface Listed {
	readonly address: string;
	readonly domains: readonly string[];
	readonly lastBounce: number;
}

/**
 * Addresses whose newest failure is younger than `days` at `now` (requirements R21).
 * Every failed record of every domain file counts, not only the last line; keys are
 * validated, lowercased full addresses (R19); domain names come from file names that
 * are valid domains or the reserved UNKNOWN_DOMAIN.
 */
export function listSuppressed(
	files: readonly DomainFile[],
	now: number,
	days: number,
): Listed[] {
	const byAddress = new Map<
		string,
		{ domains: Set<string>; lastBounce: number }
	>();
	for (const file of files) {
		const domain =
			file.name === UNKNOWN_DOMAIN
				? UNKNOWN_DOMAIN
				: normalizeDomain(file.name);
		if (domain === undefined) continue;
		for (const line of file.text.split("\n")) {
			if (line.trim() === "") continue;
			const record = parseRecordLine(line, file.mtimeMs);
			if (!record || !/^\s*failed\b/i.test(record.action)) continue;
			// the original tool kept "RFC822; <addr>" as it came when the type was upper-case
			const address =
				record.address && normalizeMailbox(decodeAddressField(record.address));
			if (!address || now - record.at >= days * DAY_MS) continue;
			const entry = byAddress.get(address) ?? {
				domains: new Set<string>(),
				lastBounce: 0,
			};
			entry.domains.add(domain);
			entry.lastBounce = Math.max(entry.lastBounce, record.at);
			byAddress.set(address, entry);
		}
	}
	return [...byAddress]
		.map(([address, e]) => ({
			address,
			domains: [...e.domains].sort(),
			lastBounce: e.lastBounce,
		}))
		.sort((a, b) =>
			a.address < b.address ? -1 : a.address > b.address ? 1 : 0,
		);
}

/** The original tool's line: `rua@x discard:report for example.org bounced 20261128 last time`. */
export function renderTransportMap(listed: readonly Listed[]): string {
	return listed.map((l) => `${l.address} discard:${reason(l)}\n`).join("");
}

/** Past this many, the map line names the first ones and counts the rest. */
const MAX_NAMED_DOMAINS = 3;

function reason(listed: Listed): string {
	const named = listed.domains.map((d) =>
		d === UNKNOWN_DOMAIN ? "an unknown domain" : d,
	);
	const shown = named.slice(0, MAX_NAMED_DOMAINS).join(",");
	const more =
		named.length > MAX_NAMED_DOMAINS
			? ` and ${named.length - MAX_NAMED_DOMAINS} more`
			: "";
	const noun = named.length > 1 ? "reports" : "report";
	return `${noun} for ${shown}${more} bounced ${yyyymmdd(new Date(listed.lastBounce))} last time`;
}
