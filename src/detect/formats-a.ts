import type { Detector } from "./types.ts";

/** Vendor text formats, group A (see index.ts for where they run). */
export const FORMATS_A: readonly (readonly [
	name: string,
	detector: Detector,
])[] = [];
