import { statusFromText } from "./status.ts";

// Words for "gave up: the receiving host could not be reached", as MTAs write them.
const UNREACHABLE =
	/queue\.expired|envelope expired|could not (?:be )?deliver(?:ed)? for (?:the last )?\d+ (?:seconds|minutes|hours|days)|delivery time expired|retry time(?:out)? (?:not reached|exceeded)|unable to deliver in \d+ minutes|timed? out|connection refused|did not accept our requests to connect|no route to host|network is unreachable|host unreachable|could not connect|hosts have been failing/i;

// Words for "reached, and the mailbox refused": an expiry after these is the
// mailbox's fault, e.g. Exim's "mailbox is full: retry timeout exceeded".
const MAILBOX_LEVEL =
	/mailbox (?:is )?full|over ?quota|quota exceeded|user unknown|no such (?:user|mailbox)/i;

/**
 * A "failed" recipient that is really a delivery that ran out of time because the
 * receiving host could not be reached. Our own network or a passing outage at the
 * receiver looks the same, so it is no proof that the address is dead.
 * - not when the diagnostic blames the mailbox (full, over quota, unknown);
 * - the diagnostic says so (connection refused or timed out, retry time exceeded);
 * - else a reply the receiver gave in the diagnostic decides (`450 4.7.1 Access
 *   denied`, `452 4.4.5 Insufficient disk space`): it was reached, and refused;
 * - else the status alone: X.4.7 "delivery time expired" or 4.4.1 "no answer from
 *   host" (RFC 3463 §3.5). A mailbox-level deferral that expired (4.2.1 until the
 *   queue lifetime ran out) is a failure like any other.
 */
export function expiredUnreachable(
	status: string | undefined,
	diagnostic: string | undefined,
): boolean {
	if (diagnostic && MAILBOX_LEVEL.test(diagnostic)) return false;
	if (diagnostic && UNREACHABLE.test(diagnostic)) return true;
	if (
		diagnostic &&
		statusFromText(diagnostic.replace(/^[^;]*;/, "")) !== undefined
	)
		return false;
	const [klass, subject, detail] = (status ?? "").split(".");
	return (
		subject === "4" && (detail === "7" || (klass === "4" && detail === "1"))
	);
}
