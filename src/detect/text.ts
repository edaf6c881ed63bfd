// Shared helpers for detectors of plain-text bounce formats.

/** Where the returned copy of the original starts in common text bounces. */
const RETURNED_COPY =
	/^[ \t]*(?:-{2,}.*(?:copy of the message|original message|returned message|message headers|undelivered message).*|----- Original message -----|-+ ?Below this line is a copy of the message\.?)$/im;

/** The notice's own text, without the returned original that some formats quote inline. */
export function noticeText(text: string): string {
	const match = RETURNED_COPY.exec(text);
	return match ? text.slice(0, match.index) : text;
}

/** Up to `max` characters of what the notice says after naming `address`, on one line. */
export function textAfter(
	text: string,
	address: string,
	max = 300,
): string | undefined {
	const notice = noticeText(text);
	const at = notice.toLowerCase().indexOf(address.toLowerCase());
	if (at < 0) return undefined;
	const after = notice
		.slice(at + address.length, at + address.length + max * 2)
		.replace(/\s+/g, " ")
		.replace(/^[>:,\s]+/, "")
		.trim();
	return after === "" ? undefined : after.slice(0, max);
}
