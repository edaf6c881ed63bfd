export interface Input {
	readonly bytes: Uint8Array;
	/** The message was larger than the limit; `bytes` holds its start. */
	readonly truncated: boolean;
	readonly size: number;
}

/**
 * Reads a byte stream (requirements R1: 8-bit and binary are legal) keeping at most
 * `limit` bytes in memory; the rest is read and counted so the writer (Postfix) sees
 * the whole message consumed.
 */
export async function readInput(
	stream: AsyncIterable<Uint8Array | string>,
	limit: number,
): Promise<Input> {
	const chunks: Uint8Array[] = [];
	let kept = 0;
	let size = 0;
	for await (const chunk of stream) {
		const bytes =
			typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
		size += bytes.length;
		if (kept < limit) {
			const take = bytes.subarray(0, limit - kept);
			chunks.push(take);
			kept += take.length;
		}
	}
	const out = new Uint8Array(kept);
	let offset = 0;
	for (const chunk of chunks) {
		out.set(chunk, offset);
		offset += chunk.length;
	}
	return { bytes: out, truncated: size > limit, size };
}
