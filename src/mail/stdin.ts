import { Buffer } from "node:buffer";
import { readSync } from "node:fs";
import { errnoCode } from "../errors.ts";

export interface Input {
	readonly bytes: Uint8Array;
	/** The message was larger than the limit; `bytes` holds its start. */
	readonly truncated: boolean;
	readonly size: number;
}

/** Collects a byte stream keeping at most `limit` bytes; the rest is only counted. */
class Collector {
	private readonly chunks: Uint8Array[] = [];
	private kept = 0;
	private size = 0;
	constructor(private readonly limit: number) {}

	add(bytes: Uint8Array): void {
		this.size += bytes.length;
		if (this.kept >= this.limit) return;
		const take = bytes.slice(0, this.limit - this.kept);
		this.chunks.push(take);
		this.kept += take.length;
	}

	result(): Input {
		return {
			bytes: Buffer.concat(this.chunks, this.kept),
			truncated: this.size > this.limit,
			size: this.size,
		};
	}
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
	const collector = new Collector(limit);
	for await (const chunk of stream)
		collector.add(
			typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk,
		);
	return collector.result();
}

const CHUNK = 256 * 1024;

/**
 * Standard input read with blocking read(2) calls: pipe(8) hands us a pipe, and this
 * skips the stream machinery's start-up (a few milliseconds of every DSN, measured in
 * BENCHMARKS.md). A non-blocking descriptor (EAGAIN) continues as a stream.
 */
export async function readStdin(
	limit: number,
	// process.stdin is built on first access (a stream's start-up): only on EAGAIN
	fallback: () => AsyncIterable<Uint8Array | string> = () => process.stdin,
): Promise<Input> {
	const collector = new Collector(limit);
	const buffer = new Uint8Array(CHUNK);
	for (;;) {
		let n: number;
		try {
			n = readSync(0, buffer, 0, CHUNK, null);
		} catch (error) {
			if (errnoCode(error) !== "EAGAIN") throw error;
			for await (const chunk of fallback())
				collector.add(
					typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk,
				);
			return collector.result();
		}
		if (n === 0) return collector.result();
		collector.add(buffer.subarray(0, n));
	}
}
