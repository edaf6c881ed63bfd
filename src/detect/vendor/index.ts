import type { Detector } from "../types.ts";
import { activeHunter } from "./activehunter.ts";
import { amazonWorkMail } from "./amazon-workmail.ts";
import { apacheJames } from "./apache-james.ts";
import { biglobe } from "./biglobe.ts";
import { domino } from "./domino.ts";
import { exchange2003 } from "./exchange2003.ts";
import { ezweb } from "./ezweb.ts";
import { fml } from "./fml.ts";
import { fullDetails } from "./full-details.ts";
import { gmx } from "./gmx.ts";
import { imailServer } from "./imailserver.ts";
import { interScan } from "./interscan.ts";
import { kddi } from "./kddi.ts";
import { mail2000 } from "./mail2000.ts";
import { mailFoundry } from "./mailfoundry.ts";
import { mailMarshal } from "./mailmarshal.ts";
import { mFilter } from "./mfilter.ts";
import { mxLogic } from "./mxlogic.ts";
import { notes } from "./notes.ts";
import { qmail } from "./qmail.ts";
import { technicalDetails } from "./technical-details.ts";
import { v5sendmail } from "./v5sendmail.ts";
import { verizon } from "./verizon.ts";
import { yahoo } from "./yahoo.ts";
import { zoho } from "./zoho.ts";

/**
 * One module per MTA or mail service (see ../README.md for where they run). Each gates
 * on a marker only its MTA writes. Header-gated formats first (their marker cannot come
 * from a quoted original), then the body wordings, the most specific first.
 */
export const VENDORS: readonly (readonly [name: string, detector: Detector])[] =
	[
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
		["mail2000", mail2000],
		["technical-details", technicalDetails],
		["full-details", fullDetails],
		// header or a vendor's own marker first, wording alone last
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
