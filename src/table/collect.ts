import { decodeAddressField } from "../dsn/address.ts";
import { expiredUnreachable } from "../dsn/expiry.ts";
import { normalizeMailbox } from "../dsn/mailbox.ts";
import { CAUSES, type Cause, classifyCause } from "../policy/cause.ts";
import type { Failure } from "../policy/window.ts";
import { normalizeDomain } from "../report/domain.ts";
import type { DomainFile } from "../state/data-dir.ts";
import { parseRecordLine, UNKNOWN_DOMAIN } from "../state/record.ts";

/** One failure with its map key: what the journal holds for a record. */
export interface KeyedFailure {
	readonly address: string;
	readonly failure: Failure;
}

/** The domain a `domains/` file name stands for, or undefined for a stray file. */
export function domainOfFile(name: string): string | undefined {
	return name === UNKNOWN_DOMAIN ? UNKNOWN_DOMAIN : normalizeDomain(name);
}

/**
 * What one line of a domain file counts for: undefined when it is garbled, not a
 * failure, or names no valid address. Keys are validated, lowercased full addresses
 * (R19). Records the original tool wrote carry no cause: it is classified from their
 * status and text. The journal (src/state/journal.ts) stores exactly this, so a map
 * built from it is the map built from the domain files.
 */
export function failureOf(
	line: string,
	domain: string,
	mtimeMs: number,
): KeyedFailure | "garbled" | undefined {
	const record = parseRecordLine(line, mtimeMs);
	if (!record) return "garbled";
	if (!/^\s*failed\b/i.test(record.action)) return undefined;
	// the original tool kept "RFC822; <addr>" as it came when the type was upper-case
	const address =
		record.address && normalizeMailbox(decodeAddressField(record.address));
	if (!address) return undefined;
	const cause = isCause(record.cause)
		? record.cause
		: classifyCause(record.status, record.diagnostic);
	// an expiry after unreachable hosts counts only when it repeats (evaluate)
	const expired = expiredUnreachable(record.status, record.diagnostic);
	return { address, failure: { at: record.at, domain, cause, expired } };
}

/** Failures by address, as evaluate() takes them. */
export class FailureMap {
	readonly byAddress = new Map<string, Failure[]>();

	add(address: string, failure: Failure): void {
		const list = this.byAddress.get(address);
		if (list) list.push(failure);
		else this.byAddress.set(address, [failure]);
	}
}

/**
 * Every failed record of every domain file, by address (not only the last line, as
 * the original did); domains come from file names that are valid domains or the
 * reserved UNKNOWN_DOMAIN. Records older than `notBefore` are left out.
 */
export function collectFailures(
	files: Iterable<DomainFile>,
	notBefore = Number.NEGATIVE_INFINITY,
): Map<string, Failure[]> {
	const out = new FailureMap();
	for (const file of files) {
		const domain = domainOfFile(file.name);
		if (domain === undefined) continue;
		for (const line of file.text.split("\n")) {
			if (line.trim() === "") continue;
			const found = failureOf(line, domain, file.mtimeMs);
			// too old to count for any window or repeat count
			if (typeof found === "object" && found.failure.at >= notBefore)
				out.add(found.address, found.failure);
		}
	}
	return out.byAddress;
}

export function isCause(value: unknown): value is Cause {
	return CAUSES.includes(value as Cause);
}
