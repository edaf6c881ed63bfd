import PostalMime, { type Email } from "postal-mime";
import { htmlText } from "./html.ts";
import { rawBodyText, repairBoundary } from "./repair.ts";

/** A header with its name lowercased and its value unfolded (RFC 5322 §2.2.3). */
export interface Header {
	readonly name: string;
	readonly value: string;
}

/** A leaf MIME part other than the readable body, content already transfer-decoded. */
export interface MailPart {
	readonly mimeType: string;
	readonly filename: string | null;
	readonly content: Uint8Array;
}

/** The parts of a message the detectors need; postal-mime's types stop here. */
export interface Message {
	readonly headers: readonly Header[];
	readonly subject: string;
	/** text/plain body (or text derived from HTML), "" when there is none. */
	readonly text: string;
	readonly parts: readonly MailPart[];
}

/** A message as parseMessage returns it: with its returned original, read on demand. */
export interface ParsedMessage extends Message {
	/**
	 * The returned original (RFC 6522 §4), parsed on first use and then kept: the same
	 * promise every time, so detection, the report-domain readers and trust share one
	 * parse. Undefined when the bounce returns nothing.
	 */
	readonly original: Promise<Message | undefined>;
}

/** Where the returned original may be (RFC 6522 §4, RFC 6533 §6.3-6.4). */
const RETURNED_TYPES: ReadonlySet<string> = new Set([
	"message/rfc822",
	"text/rfc822-headers",
	"message/global",
	"message/global-headers",
	"message/rfc822-headers",
]);

/** The returned original message or headers of a bounce, best first. */
export function returnedParts(message: Pick<Message, "parts">): MailPart[] {
	return message.parts.filter((p) => RETURNED_TYPES.has(p.mimeType));
}

/**
 * Bounds for hostile input (postal-mime's defaults are generous). Nesting beyond a
 * real DSN's depth is refused rather than walked.
 */
const LIMITS = {
	maxNestingDepth: 32,
	maxHeadersSize: 1024 * 1024,
	// Returned originals stay raw (forceRfc822Attachments): a DSN quoted inside the
	// returned message is never read as ours (requirements R4).
	maxRfc822NestingDepth: 0,
} as const;

/**
 * A DSN has a handful of MIME parts; postal-mime limits nesting, not breadth, and keeps
 * every part in memory. Input with more delimiter lines than this is not parsed.
 */
export const MAX_DELIMITER_LINES = 2000;

export class TooManyPartsError extends Error {
	override name = "TooManyPartsError";
}

/** Lines that start with "--" (RFC 2046 §5.1.1 boundary delimiters), counted up to `max + 1`. */
export function countDelimiterLines(raw: Uint8Array, max: number): number {
	let count = raw[0] === 0x2d && raw[1] === 0x2d ? 1 : 0;
	for (
		let i = raw.indexOf(0x0a);
		i >= 0 && count <= max;
		i = raw.indexOf(0x0a, i + 1)
	) {
		if (raw[i + 1] === 0x2d && raw[i + 2] === 0x2d) count++;
	}
	return count;
}

let parseCount = 0;

/**
 * How many times this process has run the MIME parser (postal-mime) over some bytes:
 * a test reads it before and after `decide` to see that each part is parsed once (a
 * multipart whose boundary had to be repaired is parsed a second time, repaired).
 */
export function mimeParses(): number {
	return parseCount;
}

export async function parseMessage(
	raw: Uint8Array | string,
): Promise<ParsedMessage> {
	if (
		typeof raw !== "string" &&
		countDelimiterLines(raw, MAX_DELIMITER_LINES) > MAX_DELIMITER_LINES
	)
		throw new TooManyPartsError(
			`more than ${MAX_DELIMITER_LINES} MIME delimiter lines`,
		);
	const email = await parse(raw);
	if (typeof raw === "string" || email.text || email.attachments.length > 0)
		return toMessage(email);
	// nothing came out: a declared boundary the body never uses, or no MIME at all
	const repaired = repairBoundary(raw);
	const again = repaired ? await parse(repaired) : email;
	if (again.text || again.attachments.length > 0) return toMessage(again);
	return toMessage(again, rawBodyText(raw));
}

function parse(raw: Uint8Array | string): Promise<Email> {
	parseCount++;
	return PostalMime.parse(raw, {
		forceRfc822Attachments: true,
		attachmentEncoding: "arraybuffer",
		...LIMITS,
	});
}

const embeddedCache = new WeakMap<MailPart, Promise<ParsedMessage>>();

/**
 * A part that holds a message or its headers (the returned original, a forwarded DSN)
 * parsed as a message: once per part, on first use, whoever asks first.
 */
export function embedded(part: MailPart): Promise<ParsedMessage> {
	let parsed = embeddedCache.get(part);
	if (parsed === undefined) {
		parsed = parseEmbedded(part.content);
		embeddedCache.set(part, parsed);
	}
	return parsed;
}

/** The first returned original of a bounce, parsed once (see ParsedMessage.original). */
export function returnedOriginal(
	message: Pick<Message, "parts">,
): Promise<Message | undefined> {
	const part = returnedParts(message)[0];
	return part === undefined ? Promise.resolve(undefined) : embedded(part);
}

/**
 * A header block alone (text/rfc822-headers, message/global-headers, RFC 6522 §4)
 * or a truncated message: parsed as a message with whatever body follows.
 */
export async function parseEmbedded(raw: Uint8Array): Promise<ParsedMessage> {
	if (hasHeaderEnd(raw)) return parseMessage(raw);
	const ended = new Uint8Array(raw.length + CRLFCRLF.length);
	ended.set(raw);
	ended.set(CRLFCRLF, raw.length);
	return parseMessage(ended);
}

const CRLFCRLF = new Uint8Array([13, 10, 13, 10]);

function hasHeaderEnd(raw: Uint8Array): boolean {
	for (let i = 0; i + 1 < raw.length; i++) {
		if (
			raw[i] === 10 &&
			(raw[i + 1] === 10 || (raw[i + 1] === 13 && raw[i + 2] === 10))
		)
			return true;
	}
	return false;
}

function toMessage(email: Email, bodyText?: string): ParsedMessage {
	const parts = email.attachments.map((a) => {
		const raw = a.mimeType.toLowerCase();
		// "text/plain\n   charset=x" (no ";") reaches postal-mime as one odd type
		const mimeType =
			/^[\w.+-]+\/[\w.+-]+/.exec(raw)?.[0] ?? "application/octet-stream";
		return {
			mimeType,
			filename: a.filename,
			content: toBytes(a.content),
			garbled: mimeType !== raw,
		};
	});
	// a notice text part taken for an attachment because its Content-Type was garbled
	const stray = parts.filter(
		(p) => p.garbled && p.mimeType === "text/plain" && !p.filename,
	);
	const text =
		bodyText ??
		[
			...stray.map((p) => decodeText(p.content)),
			email.text ?? htmlText(email.html),
		]
			.filter(Boolean)
			.join("\n");
	return new Parsed(
		email.headers.map((h) => ({ name: h.key, value: unfold(h.value) })),
		unfold(email.subject ?? ""),
		text,
		parts.map(({ mimeType, filename, content }) => ({
			mimeType,
			filename,
			content,
		})),
	);
}

class Parsed implements ParsedMessage {
	readonly headers: readonly Header[];
	readonly subject: string;
	readonly text: string;
	readonly parts: readonly MailPart[];
	#original: Promise<Message | undefined> | undefined;

	constructor(
		headers: readonly Header[],
		subject: string,
		text: string,
		parts: readonly MailPart[],
	) {
		this.headers = headers;
		this.subject = subject;
		this.text = text;
		this.parts = parts;
	}

	// on the prototype: a spread copy of the message ({ ...message }) does not parse
	get original(): Promise<Message | undefined> {
		this.#original ??= returnedOriginal(this);
		return this.#original;
	}
}

function toBytes(content: ArrayBuffer | Uint8Array | string): Uint8Array {
	if (typeof content === "string") return new TextEncoder().encode(content);
	return content instanceof Uint8Array ? content : new Uint8Array(content);
}

/** RFC 5322 §2.2.3 unfolding, with runs of white space folded to one space. */
export function unfold(value: string): string {
	return value
		.replace(/\r?\n/g, "")
		.replace(/[ \t]+/g, " ")
		.trim();
}

/** First value of a header, case-insensitive; undefined when absent. */
export function header(
	message: Pick<Message, "headers">,
	name: string,
): string | undefined {
	const key = name.toLowerCase();
	return message.headers.find((h) => h.name === key)?.value;
}

/** Decodes bytes as UTF-8, falling back to Latin-1 for 8-bit legacy text. */
export function decodeText(bytes: Uint8Array): string {
	try {
		return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
	} catch {
		return new TextDecoder("latin1").decode(bytes);
	}
}
