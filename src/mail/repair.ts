// Repairs for broken MIME seen in real bounces, tried only when a first parse found
// neither text nor parts.

const LATIN1 = new TextDecoder("latin1");

/** Byte offset of the blank line that ends the header block, or -1. */
export function headerEnd(text: string): number {
	const match = /\r?\n\r?\n/.exec(text);
	return match ? match.index + match[0].length : -1;
}

/**
 * A multipart whose declared boundary never occurs in the body (the MTA wrote another
 * one): the delimiter the body does use most often replaces it (RFC 2046 §5.1.1).
 * Undefined when there is nothing to repair.
 */
export function repairBoundary(raw: Uint8Array): Uint8Array | undefined {
	const text = LATIN1.decode(raw);
	const end = headerEnd(text);
	if (end < 0) return undefined;
	const head = text.slice(0, end);
	const declared = /boundary\s*=\s*"?([^";\r\n]+)"?/i.exec(head);
	if (!declared) return undefined;
	const body = text.slice(end);
	if (body.includes(`--${declared[1]}`)) return undefined;
	const counts = new Map<string, number>();
	for (const match of body.matchAll(/^--([!-~]{1,70}?)(?:--)?[ \t]*\r?$/gm)) {
		const token = match[1] ?? "";
		counts.set(token, (counts.get(token) ?? 0) + 1);
	}
	const best = [...counts].sort((a, b) => b[1] - a[1])[0];
	if (!best || best[1] < 2) return undefined;
	const fixed = head.replace(declared[0], `boundary="${best[0]}"`) + body;
	return Uint8Array.from(fixed, (c) => c.charCodeAt(0));
}

/** The body as text, for a message whose MIME structure yields nothing. */
export function rawBodyText(raw: Uint8Array): string {
	const text = LATIN1.decode(raw);
	const end = headerEnd(text);
	return end < 0 ? "" : text.slice(end);
}
