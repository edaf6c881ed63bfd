// Seed inputs for the fuzzer: our fixtures, small hostile messages, and (for the
// on-demand run only) the shared corpus when it is there.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import * as hostile from "./hostile.ts";

const MAX_SEED_BYTES = 512 * 1024;

export function fixtureSeeds(root: string): Uint8Array[] {
	const dir = join(root, "test", "fixtures");
	return readdirSync(dir)
		.filter((f) => f.endsWith(".eml"))
		.sort()
		.map((f) => new Uint8Array(readFileSync(join(dir, f))));
}

/** Hostile shapes small enough to mutate quickly. */
export function hostileSeeds(): Uint8Array[] {
	const text = [
		hostile.deepMultipart(40),
		hostile.deepRfc822(20),
		hostile.manyParts(200),
		hostile.manyRecipients(50),
		hostile.endlessBoundaries(500),
		hostile.sameBoundaryNesting(200),
		hostile.longBoundary(300),
		hostile.truncatedGzip(),
		hostile.truncatedZip(),
		hostile.gzipBomb(64),
		hostile.zipManyEntries(50),
		hostile.nestedBase64(3),
		// issue 11: small instances of the attack generators
		hostile.crowd(20, 2000),
		hostile.deepReturned(41),
		hostile.returnedHeaders(2000),
		hostile.tokenRun("reportdomain:", 20_000, "<"),
		hostile.deepFolding(2000),
		hostile.xmlDomainRun(50_000),
		hostile.junk(10_000),
		...Object.values(hostile.BAD_ENCODINGS),
	].map((t) => hostile.latin1(t));
	return [...text, hostile.nulBytes(), hostile.invalidUtf8()];
}

/** Every .eml below `dir` (the labelled corpus), each cut to 512 KB. */
export function corpusSeeds(dir: string): Uint8Array[] {
	if (!existsSync(dir)) return [];
	const seeds: Uint8Array[] = [];
	for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
		if (!/\.(?:eml|msg|txt)$/i.test(name)) continue;
		const path = join(dir, name);
		if (!statSync(path).isFile()) continue;
		seeds.push(new Uint8Array(readFileSync(path)).subarray(0, MAX_SEED_BYTES));
	}
	return seeds;
}
