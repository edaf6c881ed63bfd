import { apacheJames } from "./apache-james.ts";
import { domino } from "./domino.ts";
import { fml } from "./fml.ts";
import { gmx } from "./gmx.ts";
import { imailServer } from "./imailserver.ts";
import { notes } from "./notes.ts";
import { qmail } from "./qmail.ts";
import type { Detector } from "./types.ts";
import { v5sendmail } from "./v5sendmail.ts";
import { verizon } from "./verizon.ts";
import { x1 } from "./x1.ts";
import { x3 } from "./x3.ts";
import { x6 } from "./x6.ts";
import { yahoo } from "./yahoo.ts";
import { zoho } from "./zoho.ts";

/**
 * Vendor text formats, group A (see index.ts for where they run). Header-gated
 * formats first (their marker cannot come from a quoted original), then the body
 * wordings, the most specific first.
 */
export const FORMATS_A: readonly (readonly [
	name: string,
	detector: Detector,
])[] = [
	["imailserver", imailServer],
	["zoho", zoho],
	["fml", fml],
	["gmx", gmx],
	["yahoo", yahoo],
	["qmail", qmail],
	["v5sendmail", v5sendmail],
	["notes", notes],
	["domino", domino],
	["apache-james", apacheJames],
	["verizon", verizon],
	["x1", x1],
	["x3", x3],
	["x6", x6],
];
