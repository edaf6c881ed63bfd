import { decodeAddressField } from "../dsn/address.ts";
import { expiredUnreachable } from "../dsn/expiry.ts";
import { normalizeMailbox } from "../dsn/mailbox.ts";
import { CAUSES, type Cause, classifyCause } from "../policy/cause.ts";
import type { Failure } from "../policy/window.ts";
import { normalizeDomain } from "../report/domain.ts";
import type { DomainFile } from "../state/data-dir.ts";
import { parseRecordLine, UNKNOWN_DOMAIN } from "../state/record.ts";

/**
 * Every failed record of every domain file, by address (not only the last line, as
 * the original did). Keys are validated, lowercased full addresses (R19); domains come
 * from file names that are valid domains or the reserved UNKNOWN_DOMAIN. Records the
 * original tool wrote carry no cause: it is classified from their status and text.
 */
export function collectFailures(
	files: Iterable<DomainFile>,
	notBefore = Number.NEGATIVE_INFINITY,
): Map<string, Failure[]> {
	const byAddress = new Map<string, Failure[]>();
	for (const file of files) {
		const domain =
			file.name === UNKNOWN_DOMAIN
				? UNKNOWN_DOMAIN
				: normalizeDomain(file.name);
		if (domain === undefined) continue;
		for (const line of file.text.split("\n")) {
			if (line.trim() === "") continue;
			const record = parseRecordLine(line, file.mtimeMs);
			// too old to count for any window or repeat count: not worth normalising
			if (
				!record ||
				record.at < notBefore ||
				!/^\s*failed\b/i.test(record.action)
			)
				continue;
			// the original tool kept "RFC822; <addr>" as it came when the type was upper-case
			const address =
				record.address && normalizeMailbox(decodeAddressField(record.address));
			if (!address) continue;
			const cause = isCause(record.cause)
				? record.cause
				: classifyCause(record.status, record.diagnostic);
			const list = byAddress.get(address) ?? [];
			const expired = expiredUnreachable(record.status, record.diagnostic);
			list.push({ at: record.at, domain, cause, expired });
			byAddress.set(address, list);
		}
	}
	return byAddress;
}

function isCause(value: string | undefined): value is Cause {
	return CAUSES.includes(value as Cause);
}
