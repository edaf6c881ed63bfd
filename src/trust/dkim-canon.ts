import { Buffer } from "node:buffer";

// Message splitting, tag lists and canonicalisation for DKIM (RFC 6376). Everything works on
// latin1 strings (one char per byte, 0-255): 8-bit header bytes keep their exact bytes through
// the round trip, which the simple canonicalisation needs.

/** The bytes as a latin1 string. (TextDecoder's "latin1" is windows-1252: not byte-exact.) */
export function latin1(raw: Uint8Array): string {
	return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString(
		"latin1",
	);
}

export function bytes(text: string): Buffer {
	return Buffer.from(text, "latin1");
}

/** One header field: its lowercased name, "" when the line is no field at all. */
export interface HeaderField {
	readonly name: string;
	/** Exactly as received, folding included, with its terminating CRLF. */
	readonly raw: string;
}

export interface SplitMessage {
	readonly fields: readonly HeaderField[];
	/** The body (CRLF line ends); undefined when the input ends in the header block. */
	readonly body: string | undefined;
	/** The header block was longer than the cap: fields past it are missing. */
	readonly truncated: boolean;
}

/**
 * Splits a message (or a header block alone) into header fields and body. Bare LF line ends
 * (Postfix pipe(8) delivers them, so do files on disk) are read as CRLF, which is what the
 * signer canonicalised (RFC 6376 §3.4: canonicalisation works on CRLF lines). A field name is
 * RFC 5322 ftext; a line that is neither a field nor a continuation is kept, nameless, so it is
 * never selected and never joins a neighbour.
 */
export function splitMessage(
	raw: Uint8Array,
	maxHeaderBytes: number,
): SplitMessage {
	const text = latin1(raw).replace(/\r?\n/g, "\r\n");
	let header: string;
	let body: string | undefined;
	if (text.startsWith("\r\n")) {
		header = "";
		body = text.slice(2);
	} else {
		const end = text.indexOf("\r\n\r\n");
		if (end === -1) {
			header = text.endsWith("\r\n") || text === "" ? text : `${text}\r\n`;
			body = undefined;
		} else {
			header = text.slice(0, end + 2);
			body = text.slice(end + 4);
		}
	}
	let truncated = false;
	if (header.length > maxHeaderBytes) {
		truncated = true;
		header = header.slice(0, header.lastIndexOf("\r\n", maxHeaderBytes) + 2);
		body = undefined;
	}
	return { fields: splitFields(header), body, truncated };
}

function splitFields(header: string): HeaderField[] {
	const fields: HeaderField[] = [];
	let current: string[] = [];
	const flush = () => {
		if (current.length === 0) return;
		const raw = `${current.join("\r\n")}\r\n`;
		fields.push({ name: fieldName(raw), raw });
		current = [];
	};
	const lines = header.split("\r\n");
	lines.pop(); // the header block ends with CRLF: nothing follows the last one
	for (const line of lines) {
		// RFC 5322 §2.2.3: a line starting with WSP continues the field above
		if ((line.startsWith(" ") || line.startsWith("\t")) && current.length > 0)
			current.push(line);
		else {
			flush();
			current.push(line);
		}
	}
	flush();
	return fields;
}

function fieldName(raw: string): string {
	const colon = raw.indexOf(":");
	if (colon === -1) return "";
	// obsolete syntax (RFC 5322 §4.5) allows WSP before the colon
	const name = raw.slice(0, colon).replace(/[ \t]+$/, "");
	return /^[\x21-\x39\x3b-\x7e]+$/.test(name) ? name.toLowerCase() : "";
}

/** The field's value: everything after the first colon, without the final CRLF. */
export function fieldValue(raw: string): string {
	const end = raw.endsWith("\r\n") ? raw.length - 2 : raw.length;
	return raw.slice(raw.indexOf(":") + 1, end);
}

const FWS = /^[ \t\r\n]+|[ \t\r\n]+$/g;

export function trimFws(text: string): string {
	return text.replace(FWS, "");
}

/** Drops all folding white space, for base64 values (b=, bh=, p=: RFC 6376 §3.5, §3.6.1). */
export function stripFws(text: string): string {
	return text.replace(/[ \t\r\n]+/g, "");
}

/**
 * RFC 6376 §3.2 tag list: `tag=value` specs separated by ";", white space (and folding) around
 * names and values ignored, names case-sensitive, a trailing ";" allowed. A duplicate name makes
 * the whole list invalid. Returns the tags in order, or a reason why the list is invalid.
 */
export function parseTagList(text: string): Map<string, string> | string {
	const tags = new Map<string, string>();
	for (const spec of text.split(";")) {
		if (trimFws(spec) === "") continue;
		const eq = spec.indexOf("=");
		if (eq === -1) return `tag without "=": ${spec.slice(0, 20)}`;
		const name = trimFws(spec.slice(0, eq));
		if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name))
			return `bad tag name: ${name.slice(0, 20)}`;
		if (tags.has(name)) return `duplicate tag ${name}=`;
		tags.set(name, trimFws(spec.slice(eq + 1)));
	}
	return tags;
}

/**
 * The field with the value of its `b=` tag deleted, white space around it included (RFC 6376
 * §3.7: "the value of the b= tag (including all surrounding whitespace) deleted"), and without
 * its final CRLF: the last piece of the data the signature covers.
 */
export function withEmptyB(raw: string): string {
	const end = raw.endsWith("\r\n") ? raw.length - 2 : raw.length;
	let start = raw.indexOf(":") + 1;
	while (start <= end) {
		let semi = raw.indexOf(";", start);
		if (semi === -1 || semi > end) semi = end;
		const spec = raw.slice(start, semi);
		const eq = spec.indexOf("=");
		if (eq !== -1 && trimFws(spec.slice(0, eq)) === "b")
			return raw.slice(0, start + eq + 1) + raw.slice(semi, end);
		start = semi + 1;
	}
	return raw.slice(0, end);
}

export type Canon = "simple" | "relaxed";

/**
 * One header field canonicalised, without a final CRLF. Simple (RFC 6376 §3.4.1): the exact
 * bytes, folding included. Relaxed (§3.4.2): name lowercased, value unfolded, each run of WSP
 * made one SP, WSP at the end of the value and around the colon deleted.
 */
export function canonHeader(raw: string, canon: Canon): string {
	const field = raw.endsWith("\r\n") ? raw.slice(0, -2) : raw;
	if (canon === "simple") return field;
	const colon = field.indexOf(":");
	const name = field
		.slice(0, colon)
		.replace(/[ \t]+$/, "")
		.toLowerCase();
	const value = field
		.slice(colon + 1)
		.replace(/\r\n/g, "")
		.replace(/[ \t]+/g, " ")
		.replace(/^ | $/g, "");
	return `${name}:${value}`;
}

/**
 * The body canonicalised. Simple (RFC 6376 §3.4.3): empty lines at the end removed, a missing
 * final CRLF added, an empty body is one CRLF. Relaxed (§3.4.4): WSP at line ends removed, runs
 * of WSP made one SP, empty lines at the end removed, a final CRLF added unless the body is
 * empty (then it stays empty, erratum 1384).
 */
export function canonBody(body: string, canon: Canon): string {
	if (canon === "simple") {
		const kept = body.slice(0, trailingCrlfStart(body));
		return `${kept}\r\n`;
	}
	const relaxed = body
		.split("\r\n")
		.map((line) => line.replace(/[ \t]+$/, "").replace(/[ \t]+/g, " "))
		.join("\r\n");
	const kept = relaxed.slice(0, trailingCrlfStart(relaxed));
	return kept === "" ? "" : `${kept}\r\n`;
}

/** Where the run of CRLFs that ends the text starts (text.length when there is none). */
function trailingCrlfStart(text: string): number {
	let end = text.length;
	while (end >= 2 && text[end - 2] === "\r" && text[end - 1] === "\n") end -= 2;
	return end;
}
