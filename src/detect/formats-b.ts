import type { Detector } from "./types.ts";

/** Vendor text formats, group B (see index.ts for where they run). */
export const FORMATS_B: readonly (readonly [
	name: string,
	detector: Detector,
])[] = [];
