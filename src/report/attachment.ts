import { gunzipSync, constants as zlib } from "node:zlib";
import { unzipSync } from "fflate";
import { normalizeDomain } from "./domain.ts";

/** Decompressed report XML is read up to this size; a zip bomb stops here. */
const MAX_XML_BYTES = 4 * 1024 * 1024;

/**
 * RFC 7489 §7.2.1.1 file name: `receiver "!" policy-domain "!" begin "!" end
 * [ "!" unique-id ] "." extension` (also RFC 8460 §5.1 for TLS-RPT).
 */
export function reportDomainFromFilename(
	filename: string | null,
): string | undefined {
	if (!filename) return undefined;
	const fields = filename.split("!");
	if (
		fields.length < 4 ||
		!/^\d+$/.test(fields[2] ?? "") ||
		!/^\d+/.test(fields[3] ?? "")
	)
		return undefined;
	return normalizeDomain(fields[1] ?? "");
}

/** `feedback/policy_published/domain` from report XML, gzip or zip (requirements R14). */
export function reportDomainFromContent(
	content: Uint8Array,
): string | undefined {
	const xml = new TextDecoder("utf-8").decode(inflate(content));
	const published =
		/<policy_published\b[^>]*>([\s\S]*?)(?:<\/policy_published>|$)/.exec(
			xml,
		)?.[1];
	const domain =
		published &&
		/<domain\b[^>]*>\s*([^<\s]+)\s*<\/domain>/.exec(published)?.[1];
	return domain ? normalizeDomain(domain) : undefined;
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

function unzipFirstXml(content: Uint8Array): Uint8Array {
	try {
		let taken = false;
		const files = unzipSync(content, {
			// the declared size is checked before inflating, so a bomb is never expanded
			filter: (file) => {
				const take =
					!taken &&
					/\.xml$/i.test(file.name) &&
					file.originalSize <= MAX_XML_BYTES;
				taken ||= take;
				return take;
			},
		});
		const first = Object.values(files)[0];
		return first ? first.subarray(0, MAX_XML_BYTES) : new Uint8Array();
	} catch {
		return new Uint8Array();
	}
}
