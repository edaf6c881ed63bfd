import { activeHunter } from "./activehunter.ts";
import { amazonWorkMail } from "./amazon-workmail.ts";
import { biglobe } from "./biglobe.ts";
import { exchange2003 } from "./exchange2003.ts";
import { ezweb } from "./ezweb.ts";
import { interScan } from "./interscan.ts";
import { kddi } from "./kddi.ts";
import { mailFoundry } from "./mailfoundry.ts";
import { mailMarshal } from "./mailmarshal.ts";
import { mFilter } from "./mfilter.ts";
import { mxLogic } from "./mxlogic.ts";
import type { Detector } from "./types.ts";

/**
 * Vendor text formats, group B (see index.ts for where they run). Gates that need a
 * header or a vendor's own marker come first; those that rely on wording alone last.
 */
export const FORMATS_B: readonly (readonly [
	name: string,
	detector: Detector,
])[] = [
	["amazon-workmail", amazonWorkMail],
	["activehunter", activeHunter],
	["ezweb", ezweb],
	["interscan", interScan],
	["kddi", kddi],
	["mfilter", mFilter],
	["biglobe", biglobe],
	["mailfoundry", mailFoundry],
	["mailmarshal", mailMarshal],
	["mxlogic", mxLogic],
	["exchange2003", exchange2003],
];
