import { statusClass } from "./status.ts";

// Text that says the message expired in the queue because the receiving host could
// not be reached (connection refused or timed out), in the words MTAs use.
const UNREACHABLE =
	/message expired|queue\.expired|delivery time expired|retry time(?:out)? (?:not reached|exceeded)|unable to deliver in \d+ minutes|timed? out|connection refused|did not accept our requests to connect|no route to host|hosts have been failing|network is unreachable|host unreachable|could not connect/i;

/**
 * A "failed" recipient that is really a delivery that ran out of time because the
 * receiving host could not be reached: RFC 3463 §3.5 network and routing status
 * (4.4.x), X.4.7 "delivery time expired", or an unreachable-host text. Our own
 * network or a passing outage at the receiver looks the same, so it is not proof
 * that the address is dead. A mailbox-level deferral that expired (4.2.1 "mailbox
 * temporarily unavailable" until the queue lifetime ran out) is not this.
 */
export function expiredUnreachable(
	status: string | undefined,
	diagnostic: string | undefined,
): boolean {
	const [, subject, detail] = (status ?? "").split(".");
	if (subject === "4" && detail === "7") return true;
	if (statusClass(status) === "4" && subject === "4") return true;
	if (statusClass(status) === "5" && subject !== "4" && status !== "5.0.0")
		return false;
	return diagnostic !== undefined && UNREACHABLE.test(diagnostic);
}
