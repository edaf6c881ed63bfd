// An HTML-only notice (Exchange, some Chinese and Japanese services) read as text.

const ENTITIES: Readonly<Record<string, string>> = {
	nbsp: " ",
	amp: "&",
	lt: "<",
	gt: ">",
	quot: '"',
	apos: "'",
};

/**
 * The text of an HTML body: line breaks where the markup breaks lines, tags dropped,
 * the common entities decoded. Linear in the input; not a renderer.
 */
export function htmlText(html: string | undefined): string {
	if (!html) return "";
	let body = html;
	// the head (title, styles) says nothing the body does not
	const head = body.search(/<\/head\s*>/i);
	if (head >= 0) body = body.slice(head);
	return body
		.replace(/<(?:br|\/p|\/div|\/tr|\/li|\/h\d|p|li|tr)\b[^<>]*>/gi, "\n")
		.replace(/<[^<>]*>/g, "")
		.replace(
			/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi,
			(all, name: string) => {
				if (name[0] === "#") {
					const code =
						name[1] === "x" || name[1] === "X"
							? Number.parseInt(name.slice(2), 16)
							: Number.parseInt(name.slice(1), 10);
					return code > 0 && code <= 0x10ffff
						? String.fromCodePoint(code)
						: all;
				}
				return ENTITIES[name.toLowerCase()] ?? all;
			},
		)
		.split("\n")
		.map((line) => line.trimEnd())
		.join("\n")
		.replace(/\n{3,}/g, "\n\n")
		.trim();
}
