import { Buffer } from "node:buffer";
import { statSync } from "node:fs";
import { join } from "node:path";
import { normalizeMailbox } from "../dsn/mailbox.ts";
import { DataDirError } from "../errors.ts";
import { CAUSES, type Cause } from "../policy/cause.ts";
import type { Failure } from "../policy/window.ts";
import { normalizeDomain } from "../report/domain.ts";
import { isCause, type KeyedFailure } from "../table/collect.ts";
import { FailureStore, hashBytes } from "../table/failure-store.ts";
import { asDataDirError, hasDomains } from "./data-dir.ts";
import {
	dayFiles,
	dayOf,
	JOURNAL,
	journalDistrust,
	MAX_JOURNAL_LINE,
	rebuildJournal,
	scanDomainFiles,
} from "./journal.ts";
import {
	forEachLineBytes,
	type LineStats,
	newLineStats,
} from "./journal-lines.ts";
import { UNKNOWN_DOMAIN } from "./record.ts";

/**
 * Reading the journal (src/state/journal.ts) for `table` (issue 15): the failures of
 * the look-back into a FailureStore, every line checked as a domain-file record is.
 * Ingest never loads this module: it only appends to the journal.
 */

// The keys and domains the journal names are checked again when read: the pipe user
// can write it as it can write the domain files. The common, plain-ASCII form is
// checked by a loop that accepts exactly what normalizeMailbox and normalizeDomain
// return for it; anything else takes the full check.

/** The characters of an atom of a plain local part: a-z 0-9 !#$%&'+/=?^_`{|}~- */
const ATOM = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyz0123456789!#$%&'+/=?^_`{|}~-")
	ATOM[c.charCodeAt(0)] = 1;

/**
 * `text` is two or more lowercase LDH labels of 1-63 characters, none
 * starting or ending with "-", none an A-label ("xn--": only the full check can tell a
 * valid one), the last not all digits, 253 characters at most: what normalizeDomain
 * returns unchanged.
 */
function plainDomain(text: string): boolean {
	// a character from U+0080 up becomes bytes from 0x80 up, which fail as it would
	const bytes = Buffer.from(text);
	return plainDomainBytes(bytes, 0, bytes.length);
}

function validDomain(domain: string): boolean {
	if (domain === UNKNOWN_DOMAIN || plainDomain(domain)) return true;
	return normalizeDomain(domain) === domain;
}

/** A valid map key: what normalizeMailbox returns unchanged (a plain address without it). */
function validKey(address: string): boolean {
	// a character from U+0080 up becomes bytes from 0x80 up, which are never plain
	const bytes = Buffer.from(address);
	if (plainAddressBytes(bytes, 0, bytes.length)) return true;
	return normalizeMailbox(address) === address;
}

/** The index in CAUSES of the cause named by `bytes[start, end)`, or -1. */
function causeIndex(bytes: Uint8Array, start: number, end: number): number {
	for (let i = 0; i < CAUSES.length; i++)
		if (sameAscii(bytes, start, end, CAUSES[i] as Cause)) return i;
	return -1;
}

/** plainDomain of `bytes[from, n)`, read as ASCII (a byte from 0x80 up fails). */
function plainDomainBytes(bytes: Uint8Array, from: number, n: number): boolean {
	if (n === from || n - from > 253) return false;
	let labels = 1;
	let start = from;
	let digitsOnly = true;
	for (let i = from; i <= n; i++) {
		const c = i < n ? (bytes[i] ?? 0) : 46;
		if (c === 46) {
			const length = i - start;
			if (
				length === 0 ||
				length > 63 ||
				bytes[i - 1] === 45 ||
				// "xn--": an A-label, which only the full check can tell valid
				(length >= 4 &&
					bytes[start] === 0x78 &&
					bytes[start + 1] === 0x6e &&
					bytes[start + 2] === 45 &&
					bytes[start + 3] === 45)
			)
				return false;
			if (i < n) {
				labels++;
				start = i + 1;
				digitsOnly = true;
			}
		} else if (c >= 48 && c <= 57) {
			// a digit
		} else if ((c >= 97 && c <= 122) || (c === 45 && i > start))
			digitsOnly = false;
		else return false;
	}
	return labels >= 2 && !digitsOnly;
}

function sameAscii(
	bytes: Uint8Array,
	start: number,
	end: number,
	text: string,
): boolean {
	if (text.length !== end - start) return false;
	for (let i = 0; i < text.length; i++)
		if (bytes[start + i] !== text.charCodeAt(i)) return false;
	return true;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The end of the JSON string that starts at `i` (after its quote), or -1 when it has escapes. */
function stringEnd(bytes: Uint8Array, i: number, end: number): number {
	for (; i < end; i++) {
		const c = bytes[i];
		if (c === QUOTE) return i;
		if (c === BACKSLASH || (c !== undefined && c < 0x20)) return -1;
	}
	return -1;
}

/**
 * Adds the journal's failures from `from` up to `to` (inclusive or not) to `store`;
 * every line is checked as a domain-file record is (a valid key, a valid domain, a
 * known cause), each distinct address and domain once. With `older`, only failures of
 * the addresses already in the store are added, as older history: a line of another
 * address is passed over before anything of it is decoded.
 */
export function readJournal(
	dataDir: string,
	from: number,
	to: number,
	toIncluded: boolean,
	store: FailureStore,
	stats: LineStats,
	older = false,
): void {
	const dir = join(dataDir, JOURNAL);
	const firstDay = dayOf(from) ?? "";
	const lastDay = dayOf(to) ?? "99999999";
	const span: Span = { from, to, toIncluded, older };
	const read = older ? readOlderEntry : readRecentEntry;
	for (const day of dayFiles(dataDir)) {
		if (day < firstDay || day > lastDay) continue;
		const path = join(dir, day);
		try {
			forEachLineBytes(
				path,
				MAX_JOURNAL_LINE,
				stats,
				(bytes, start, end, _, ended) => {
					// an ingest may be appending this very line: it counts from the next run
					if (start === end || !ended) return;
					if (!read(bytes, start, end, store, span)) {
						stats.garbled++;
						stats.example ??= path;
					}
				},
			);
		} catch (error) {
			throw asDataDirError(error, path);
		}
	}
}

interface Span {
	readonly from: number;
	readonly to: number;
	readonly toIncluded: boolean;
	readonly older: boolean;
}

function within(at: number, span: Span): boolean {
	return (
		at >= span.from && (at < span.to || (span.toIncluded && at === span.to))
	);
}

/** The UTF-8 bytes are all ASCII. */
function asciiBytes(bytes: Uint8Array, start: number, end: number): boolean {
	for (let i = start; i < end; i++)
		if ((bytes[i] as number) >= 0x80) return false;
	return true;
}

/**
 * A valid domain at `bytes[start, end)`: its id in the store, or -1. Report domains
 * hardly repeat across lines, so each is checked and stored as it comes; only the one
 * of the line before (the same DSN's other recipient) is taken again.
 */
function domainId(
	bytes: Buffer,
	start: number,
	end: number,
	store: FailureStore,
): number {
	const domains = store.domains;
	const last = store.lastDomain;
	if (last >= 0 && domains.same(last, bytes, start, end)) return last;
	let id: number;
	if (!asciiBytes(bytes, start, end)) {
		const domain = bytes.toString("utf8", start, end);
		if (!validDomain(domain)) return -1;
		id = domains.appendText(domain);
	} else if (plainDomainBytes(bytes, start, end))
		id = domains.append(bytes, start, end);
	else {
		const domain = bytes.toString("utf8", start, end);
		if (!validDomain(domain)) return -1;
		id = domains.append(bytes, start, end, domain);
	}
	store.lastDomain = id;
	return id;
}

/**
 * `bytes[start, end)` is a plain address: a local part of dot-separated ASCII atoms,
 * none empty (RFC 5321 §4.1.2 Dot-string), of 64 octets at most, and a plainDomain;
 * 320 octets in all at most.
 */
function plainAddressBytes(
	bytes: Uint8Array,
	start: number,
	end: number,
): boolean {
	let at = end - 1;
	while (at >= start && bytes[at] !== 0x40) at--;
	const local = at - start;
	if (local <= 0 || local > 64 || end - start > 320) return false;
	let atom = 0;
	for (let i = start; i < at; i++) {
		const c = bytes[i] as number;
		if (c === 46) {
			if (atom === 0) return false;
			atom = 0;
		} else if (c < 128 && ATOM[c] === 1) atom++;
		else return false;
	}
	return atom > 0 && plainDomainBytes(bytes, at + 1, end);
}

/**
 * Where readFields found the fields of a journal line (one line at a time), and what
 * findAddress learnt of its address.
 */
const F = {
	at: 0,
	causeStart: 0,
	causeEnd: 0,
	domainStart: 0,
	domainEnd: 0,
	addressStart: 0,
	addressEnd: 0,
	expired: false,
	/** The address is ASCII: found by its bytes and their hash. */
	ascii: false,
	hash: 0,
};

/** The id of the address readFields found, or -1; sets F.ascii and F.hash. */
function findAddress(bytes: Buffer, store: FailureStore): number {
	const { addressStart, addressEnd } = F;
	F.ascii = asciiBytes(bytes, addressStart, addressEnd);
	if (!F.ascii)
		return store.addresses.findText(
			bytes.toString("utf8", addressStart, addressEnd),
		);
	F.hash = hashBytes(bytes, addressStart, addressEnd);
	return store.addresses.find(bytes, addressStart, addressEnd, F.hash);
}

/**
 * The fields of `[at,"cause","domain","address"]` (or `...,"address",1]`, an expiry)
 * read in place into F, as JSON.stringify wrote them: an integer time and strings
 * without escapes. False for anything else.
 */
function readFields(bytes: Buffer, start: number, end: number): boolean {
	if (bytes[start] !== 0x5b || bytes[end - 1] !== 0x5d) return false;
	let i = start + 1;
	let at = 0;
	for (; i < end && i - start <= 15; i++) {
		const c = bytes[i] ?? 0;
		if (c < 0x30 || c > 0x39) break;
		at = at * 10 + (c - 0x30);
	}
	if (i === start + 1 || bytes[i] !== 0x2c || bytes[i + 1] !== QUOTE)
		return false;
	const causeStart = i + 2;
	const causeEnd = stringEnd(bytes, causeStart, end);
	if (causeEnd < 0 || bytes[causeEnd + 1] !== 0x2c) return false;
	const domainStart = causeEnd + 3;
	const domainEnd = stringEnd(bytes, domainStart, end);
	if (domainEnd < 0 || bytes[domainEnd + 1] !== 0x2c) return false;
	const addressStart = domainEnd + 3;
	const addressEnd = stringEnd(bytes, addressStart, end);
	// `"]` ends a failure, `",1]` an expiry
	const expired =
		addressEnd === end - 4 &&
		bytes[end - 3] === 0x2c &&
		bytes[end - 2] === 0x31;
	if (addressEnd !== end - 2 && !expired) return false;
	F.at = at;
	F.causeStart = causeStart;
	F.causeEnd = causeEnd;
	F.domainStart = domainStart;
	F.domainEnd = domainEnd;
	F.addressStart = addressStart;
	F.addressEnd = addressEnd;
	F.expired = expired;
	return true;
}

/**
 * One journal line of the recent failures into the store, its fields read in place
 * (readFields); any other form goes through JSON.parse. False when the line is no
 * valid failure.
 */
function readRecentEntry(
	bytes: Buffer,
	start: number,
	end: number,
	store: FailureStore,
	span: Span,
): boolean {
	if (!readFields(bytes, start, end))
		return slowEntry(bytes, start, end, store, span);
	const { at, addressStart, addressEnd } = F;
	let address = findAddress(bytes, store);
	const { ascii, hash } = F;
	const cause = causeIndex(bytes, F.causeStart, F.causeEnd);
	const domain = domainId(bytes, F.domainStart, F.domainEnd, store);
	if (cause < 0 || domain < 0) return false;
	if (address < 0) {
		// not seen yet: checked once, added only when it counts
		let text: string | undefined;
		if (!ascii || !plainAddressBytes(bytes, addressStart, addressEnd)) {
			text = bytes.toString("utf8", addressStart, addressEnd);
			if (normalizeMailbox(text) !== text) return false;
		}
		if (!within(at, span)) return true;
		address =
			ascii || text === undefined
				? store.addresses.add(bytes, addressStart, addressEnd, hash, text)
				: store.addresses.intern(text);
	} else if (!within(at, span)) return true;
	store.push(address, at, cause, domain, F.expired ? FailureStore.EXPIRED : 0);
	return true;
}

/**
 * readRecentEntry for older history: only a line of an address already stored counts
 * (the store holds only valid ones), and most lines are told apart from their end.
 */
function readOlderEntry(
	bytes: Buffer,
	start: number,
	end: number,
	store: FailureStore,
	span: Span,
): boolean {
	if (unwantedAtEnd(bytes, start, end, store)) return true;
	if (!readFields(bytes, start, end))
		return slowEntry(bytes, start, end, store, span);
	const address = findAddress(bytes, store);
	if (address < 0) return true;
	const cause = causeIndex(bytes, F.causeStart, F.causeEnd);
	const domain = domainId(bytes, F.domainStart, F.domainEnd, store);
	if (cause < 0 || domain < 0) return false;
	if (within(F.at, span))
		store.push(
			address,
			F.at,
			cause,
			domain,
			FailureStore.OLDER | (F.expired ? FailureStore.EXPIRED : 0),
		);
	return true;
}

/**
 * Whether the line `[at,...,"address"]` (or `...,"address",1]`) surely names an
 * address the store does not have: its last string read backwards, when it is plain
 * ASCII without escapes (then the forward read finds the very same string), and
 * looked up. False when only the full read can tell.
 */
function unwantedAtEnd(
	bytes: Buffer,
	start: number,
	end: number,
	store: FailureStore,
): boolean {
	const c = bytes[start + 1] as number;
	if (bytes[start] !== 0x5b || bytes[end - 1] !== 0x5d || c < 0x30 || c > 0x39)
		return false;
	let last = end - 2;
	if (bytes[last] === 0x31 && bytes[last - 1] === 0x2c) last -= 2;
	if (bytes[last] !== QUOTE) return false;
	let i = last - 1;
	for (; i > start; i--) {
		const b = bytes[i] as number;
		if (b === QUOTE) break;
		if (b === BACKSLASH || b < 0x20 || b >= 0x80) return false;
	}
	if (i <= start + 2 || bytes[i - 1] !== 0x2c || bytes[i - 2] !== QUOTE)
		return false;
	const hash = hashBytes(bytes, i + 1, last);
	return store.addresses.find(bytes, i + 1, last, hash) < 0;
}

/** readEntry for a line not in the form JSON.stringify writes: JSON.parse. */
function slowEntry(
	bytes: Buffer,
	start: number,
	end: number,
	store: FailureStore,
	span: Span,
): boolean {
	const keyed = parseEntry(bytes.toString("utf8", start, end));
	if (keyed === undefined) return false;
	if (span.older && !store.has(keyed.address)) return true;
	if (within(keyed.failure.at, span))
		store.add(keyed.address, keyed.failure, span.older);
	return true;
}

function parseEntry(line: string): KeyedFailure | undefined {
	let value: unknown;
	try {
		value = JSON.parse(line);
	} catch {
		return undefined;
	}
	if (
		!Array.isArray(value) ||
		(value.length !== 4 && !(value.length === 5 && value[4] === 1))
	)
		return undefined;
	const [at, cause, domain, address, expired] = value as unknown[];
	if (
		typeof at !== "number" ||
		!Number.isFinite(at) ||
		!isCause(cause) ||
		typeof domain !== "string" ||
		typeof address !== "string" ||
		!validDomain(domain) ||
		!validKey(address)
	)
		return undefined;
	const failure: Failure = { at, domain, cause, expired: expired === 1 };
	return { address, failure };
}

export interface Loaded {
	readonly failures: FailureStore;
	readonly stats: LineStats;
	/** Data dirs whose journal was rebuilt, and why. */
	readonly rebuilt: readonly { dir: string; why: string; files: number }[];
}

/** The span of time `table` needs failures for. */
export interface LoadWindow {
	/** The policy's longest look-back: nothing older counts for anything. */
	readonly from: number;
	/**
	 * An address with no failure from here on can be neither listed, nor held, nor
	 * counted by the surge breaker at `to` (its longest window and the breaker's
	 * baseline both end before `to`): its older history is not loaded at all.
	 */
	readonly recent: number;
	/** The time the policy is evaluated at; later failures do not count. */
	readonly to: number;
}

/**
 * The failures `table` evaluates, over every data dir: from the journal, rebuilt
 * first where it cannot be trusted or `rebuild` asks for it. Memory grows with the
 * addresses that bounced recently (the map's live entries and their history), not
 * with the data dir: older lines are read for those addresses only, and a failure is
 * a row of FailureStore's columns, not an object. A data dir that cannot be written
 * (a read-only copy) is scanned in full instead.
 */
export function loadFailures(
	dirs: readonly string[],
	window: LoadWindow,
	rebuild: boolean,
): Loaded {
	const store = new FailureStore();
	const stats = newLineStats();
	const rebuilt: { dir: string; why: string; files: number }[] = [];
	const journaled: string[] = [];
	for (const dir of dirs) {
		try {
			if (!statSync(dir).isDirectory())
				throw new DataDirError(`${dir} is not a directory`, "ENOTDIR");
		} catch (error) {
			throw asDataDirError(error, dir);
		}
		// a new data dir has no domains/ until the first bounce: an empty map; a link or a
		// special file in its place is refused (74): root never reads through it (issue 11)
		if (!hasDomains(dir)) continue;
		const why = rebuild ? "asked to" : journalDistrust(dir);
		if (why !== undefined) {
			const seen = newLineStats();
			try {
				const files = rebuildJournal(dir, seen);
				rebuilt.push({ dir, why, files });
			} catch (error) {
				if (!(error instanceof DataDirError) || !isWriteError(error.code))
					throw error;
				scanDomainFiles(
					dir,
					(keyed) => {
						if (keyed.failure.at >= window.from)
							store.add(keyed.address, keyed.failure);
					},
					stats,
				);
				continue;
			}
			stats.oversized += seen.oversized;
			stats.garbled += seen.garbled;
			if (seen.example !== undefined) stats.example ??= seen.example;
		}
		journaled.push(dir);
	}
	// recent failures first, from every data dir: they name the addresses that matter;
	// then the older history of those addresses only (FailureStore lists it first)
	for (const dir of journaled)
		readJournal(dir, window.recent, window.to, true, store, stats);
	for (const dir of journaled)
		readJournal(dir, window.from, window.recent, false, store, stats, true);
	return { failures: store, stats, rebuilt };
}

function isWriteError(code: string | undefined): boolean {
	return code === "EACCES" || code === "EROFS" || code === "EPERM";
}
