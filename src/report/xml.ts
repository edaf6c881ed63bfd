import { Buffer } from "node:buffer";
import { gunzipSync, constants as zlib } from "node:zlib";
import { Unzip, UnzipInflate } from "fflate";
import { normalizeDomain } from "./domain.ts";

/** Decompressed report XML is read up to this size; a zip bomb stops here. */
export const MAX_XML_BYTES = 4 * 1024 * 1024;

/** `feedback/policy_published/domain` from report XML, gzip or zip (requirements R14). */
export function reportDomainFromContent(
	content: Uint8Array,
): string | undefined {
	const xml = new TextDecoder("utf-8").decode(inflate(content));
	const published = elementText(xml, "policy_published");
	const domain = published && domainIn(published);
	return domain ? normalizeDomain(domain) : undefined;
}

/**
 * Where the first `<name ...>` start tag ends (after its `>`), searching from `from`;
 * -1 when there is none. One pass (issue 11: a regular expression here was quadratic
 * on `<domain` repeated): every start before a tag's `>` ends at that same `>`, so the
 * search goes on after it.
 */
function startTagEnd(xml: string, name: string, from: number): number {
	for (
		let at = xml.indexOf(`<${name}`, from);
		at >= 0;
		at = xml.indexOf(`<${name}`, at + 1)
	) {
		// \b: `<domainx>` is another element
		if (/\w/.test(xml[at + name.length + 1] ?? "")) continue;
		const gt = xml.indexOf(">", at);
		return gt < 0 ? -1 : gt + 1;
	}
	return -1;
}

/** The content of the first `<name>` element, up to its end tag or the end of the text. */
function elementText(xml: string, name: string): string | undefined {
	const start = startTagEnd(xml, name, 0);
	if (start < 0) return undefined;
	const end = xml.indexOf(`</${name}>`, start);
	return xml.slice(start, end < 0 ? undefined : end);
}

/** The first `<domain ...> value </domain>` whose value is one word, in linear time. */
function domainIn(xml: string): string | undefined {
	for (let at = startTagEnd(xml, "domain", 0); at >= 0; ) {
		let i = at;
		while (i < xml.length && /\s/.test(xml[i] ?? "")) i++;
		const begin = i;
		while (i < xml.length && !/[<\s]/.test(xml[i] ?? "")) i++;
		const value = xml.slice(begin, i);
		while (i < xml.length && /\s/.test(xml[i] ?? "")) i++;
		if (value !== "" && xml.startsWith("</domain>", i)) return value;
		at = startTagEnd(xml, "domain", Math.max(at, i));
	}
	return undefined;
}

function inflate(content: Uint8Array): Uint8Array {
	if (content[0] === 0x1f && content[1] === 0x8b) return gunzipPartial(content);
	if (content[0] === 0x50 && content[1] === 0x4b) return unzipFirstXml(content);
	return content.subarray(0, MAX_XML_BYTES);
}

/** A truncated gzip (headers-only returns cut the attachment) still yields its start. */
function gunzipPartial(content: Uint8Array): Uint8Array {
	try {
		return gunzipSync(content, {
			finishFlush: zlib.Z_SYNC_FLUSH,
			maxOutputLength: MAX_XML_BYTES,
		});
	} catch {
		return new Uint8Array();
	}
}

/** Compressed input is fed in slices this big, so one slice inflates to ~16 MB at most (RFC 1951: ratio < 1032:1). */
const ZIP_SLICE = 16 * 1024;

/**
 * The first .xml entry of a zip, inflated up to MAX_XML_BYTES: the stream stops there,
 * whatever size the entry declares (a zip bomb declares little and inflates to GBs).
 */
function unzipFirstXml(content: Uint8Array): Uint8Array {
	const chunks: Uint8Array[] = [];
	let total = 0;
	let taken = false;
	let done = false;
	const unzip = new Unzip((file) => {
		// an entry that declares more than the limit is refused before inflating; one that
		// lies about its size is stopped at the limit below
		if (
			taken ||
			!/\.xml$/i.test(file.name) ||
			(file.originalSize ?? 0) > MAX_XML_BYTES
		)
			return;
		taken = true;
		file.ondata = (error, data, final) => {
			if (error || done) return;
			const part = data.subarray(0, MAX_XML_BYTES - total);
			chunks.push(part);
			total += part.length;
			if (final || total >= MAX_XML_BYTES) {
				done = true;
				if (!final) file.terminate();
			}
		};
		file.start();
	});
	unzip.register(UnzipInflate);
	try {
		for (let at = 0; at < content.length && !done; at += ZIP_SLICE) {
			unzip.push(
				content.subarray(at, at + ZIP_SLICE),
				at + ZIP_SLICE >= content.length,
			);
		}
	} catch {
		// a truncated or broken archive: whatever was inflated so far
	}
	return Buffer.concat(chunks, total);
}
