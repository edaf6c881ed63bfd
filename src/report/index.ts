import { decodeWords } from "postal-mime";
import {
	embedded,
	header,
	type Message,
	returnedParts,
	unfold,
} from "../mail/message.ts";
import { reportDomainFromFilename } from "./attachment.ts";
import { normalizeDomain } from "./domain.ts";
import { reportDomainFromSubject } from "./subject.ts";

// trust reads the returned original through this module
export { returnedParts };

const REPORT_FILE = /\.(?:xml|json)(?:\.gz|\.zip)?$|\.(?:gz|zip)$/i;

export interface ReportDomain {
	readonly domain: string;
	/** Which evidence named it, for the log and --dry-run. */
	readonly source: string;
}

/**
 * The report domain a bounce is about, from the best evidence first: the returned
 * original's Subject (R13), its report attachment's name and XML (R14), the
 * generator's Message-ID pattern; then the bounce's own Subject, References (Google
 * Groups) and text, which quote the original.
 */
export async function findReportDomain(
	message: Message,
	raw: Uint8Array,
): Promise<ReportDomain | undefined> {
	for (const part of returnedParts(message)) {
		// parsed once: trust reads the same parse (mail/message.ts embedded)
		const found = await fromOriginal(await embedded(part));
		if (found) return found;
	}
	return fromBounce(message) ?? fromRawSubjects(raw);
}

async function fromOriginal(
	original: Message,
): Promise<ReportDomain | undefined> {
	const subject = reportDomainFromSubject(original.subject);
	if (subject) return { domain: subject, source: "returned subject" };
	const tlsrpt = header(original, "tls-report-domain");
	const tls = tlsrpt === undefined ? undefined : normalizeDomain(tlsrpt);
	if (tls) return { domain: tls, source: "TLS-Report-Domain" };
	const attached = await fromAttachment(original);
	if (attached) return attached;
	const id = fromMessageId(header(original, "message-id"));
	return id ? { domain: id, source: "returned Message-ID" } : undefined;
}

const attachments = new WeakMap<Message, Promise<ReportDomain | undefined>>();

/**
 * A report attachment of the returned original: its RFC 7489 §7.2.1.1 name, or its XML.
 * Read once per original: findReportDomain and returnedReport both ask.
 */
function fromAttachment(original: Message): Promise<ReportDomain | undefined> {
	let found = attachments.get(original);
	if (found === undefined) {
		found = readAttachment(original);
		attachments.set(original, found);
	}
	return found;
}

async function readAttachment(
	original: Message,
): Promise<ReportDomain | undefined> {
	for (const part of original.parts) {
		const named = reportDomainFromFilename(part.filename);
		if (named) return { domain: named, source: "attachment name" };
	}
	for (const part of original.parts) {
		if (part.filename && !REPORT_FILE.test(part.filename)) continue;
		// zlib and the zip reader load only for a report that needs them (start-up time)
		const { reportDomainFromContent } = await import("./xml.ts");
		const xml = reportDomainFromContent(part.content);
		if (xml) return { domain: xml, source: "report XML" };
	}
	return undefined;
}

/**
 * The returned original when it is recognisably one of our DMARC aggregate reports
 * (issue 11): the report itself came back, as an attachment with the RFC 7489 §7.2.1.1
 * file name or report XML. Such a message went to its rua addresses, which stand in its
 * To (or Cc): decide.ts records only those. The Subject grammar alone does not count
 * here: the corpus's dmarc/ sets put report Subjects on generic bounces whose To is not
 * the failed recipient, and a Subject is as forgeable as the To it would vouch for
 * (with --sender, trust/proof.ts holds every returned original to its To/Cc anyway).
 */
export async function returnedReport(
	message: Message,
): Promise<Message | undefined> {
	for (const part of returnedParts(message)) {
		const original = await embedded(part);
		if (await fromAttachment(original)) return original;
	}
	return undefined;
}

function fromBounce(message: Message): ReportDomain | undefined {
	const subject = reportDomainFromSubject(message.subject);
	if (subject) return { domain: subject, source: "bounce subject" };
	for (const name of ["references", "in-reply-to"]) {
		const id = fromMessageId(header(message, name));
		if (id) return { domain: id, source: name };
	}
	const text = reportDomainFromSubject(message.text);
	return text ? { domain: text, source: "bounce text" } : undefined;
}

const SUBJECT_LINE = /^Subject:[^\n]*(?:\r?\n[ \t][^\n]*)*/gim;
const MAX_SUBJECT_LINES = 20;

/**
 * The last resort: Subject header lines anywhere in the raw message, decoded (RFC 2047)
 * and read with the report grammar. It finds the original quoted inline as text (qmail,
 * Exim, forwarded bounces) and in parts whose MIME structure is broken.
 */
function fromRawSubjects(raw: Uint8Array): ReportDomain | undefined {
	const text = latin1(raw);
	let seen = 0;
	for (const match of text.matchAll(SUBJECT_LINE)) {
		if (++seen > MAX_SUBJECT_LINES) break;
		if (!/report/i.test(match[0])) continue;
		const domain = reportDomainFromSubject(quotedSubject(match[0]));
		if (domain) return { domain, source: "quoted subject" };
	}
	return undefined;
}

/**
 * A quoted `Subject:` line's value as the MIME parser reads a header (RFC 5322 §2.2.3
 * unfolding, RFC 2047 encoded words), without parsing a message around it: line ends
 * dropped, a stray CR made a space, blanks trimmed, encoded words decoded.
 */
export function quotedSubject(line: string): string {
	const unfolded = line.split("\n").map(withoutTrailingCr).join("");
	const value = unfolded.slice(unfolded.indexOf(":") + 1).replace(/\r+/g, " ");
	return unfold(decodeWords(trimBlanks(value)));
}

function withoutTrailingCr(line: string): string {
	let end = line.length;
	while (end > 0 && line.charCodeAt(end - 1) === 13) end--;
	return line.slice(0, end);
}

/** Trims SP and HTAB only, by index (a regex for both ends backtracks on long runs). */
function trimBlanks(text: string): string {
	let start = 0;
	let end = text.length;
	const blank = (i: number) => {
		const c = text.charCodeAt(i);
		return c === 32 || c === 9;
	};
	while (start < end && blank(start)) start++;
	while (end > start && blank(end - 1)) end--;
	return text.slice(start, end);
}

const decoded = new WeakMap<Uint8Array, string>();

/** The raw message as Latin-1 text, decoded once for the raw readers below. */
function latin1(raw: Uint8Array): string {
	let text = decoded.get(raw);
	if (text === undefined) {
		text = new TextDecoder("latin1").decode(raw);
		decoded.set(raw, text);
	}
	return text;
}

/** OpenDMARC's `<domain-timestamp@submitter>` Message-ID (R14), also in References. */
function fromMessageId(value: string | undefined): string | undefined {
	const match = value && /<([^<>@\s]+)-\d{6,}@[^<>\s]+>/.exec(value);
	return match ? normalizeDomain(match[1] ?? "") : undefined;
}

// "Report Domain:" in any form, also inside an RFC 2047 Q-encoded word ("Report_Domain=3A")
const REPORT_DOMAIN_LABEL = /report[ _\t]*-?domain[ _\t]*(?::|=3A)/i;

/**
 * True when the message names a report domain that findReportDomain could not accept:
 * a forged or broken value (`../../etc`, map syntax) that must be quarantined (R16),
 * unlike a bounce that names no report domain at all.
 */
export function namesReportDomain(raw: Uint8Array): boolean {
	return REPORT_DOMAIN_LABEL.test(latin1(raw));
}
