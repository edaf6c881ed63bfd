import { forwardedReport } from "./detect/generic/forwarded.ts";
import { detect } from "./detect/index.ts";
import type { Action, Bounce, RecipientReport } from "./detect/types.ts";
import { expiredUnreachable } from "./dsn/expiry.ts";
import { normalizeMailbox } from "./dsn/mailbox.ts";
import { oneLine, printable } from "./errors.ts";
import {
	type Message,
	parseMessage,
	TooManyPartsError,
} from "./mail/message.ts";
import { type Cause, classifyCause, DEFAULT_CAUSES } from "./policy/cause.ts";
import { findReportDomain, namesReportDomain } from "./report/index.ts";
import { prove, TRUST_ANYONE, type TrustOptions } from "./trust/proof.ts";
import { verpRecipient } from "./verp.ts";

export type Outcome = "record" | "ignore" | "quarantine";

export interface RecipientDecision {
	/** The map key: the validated, lowercased address we sent to; raw text if invalid. */
	readonly address: string;
	readonly action: Action;
	readonly status: string | null;
	readonly diagnostic: string | null;
	readonly suppress: boolean;
	/** Why a failed recipient is not suppressed, else null. */
	readonly hold: string | null;
	/** Who is to blame for a failure (issue 5); null for other actions. */
	readonly cause: Cause | null;
	readonly final_rcpt: string;
	readonly orig_rcpt: string | null;
	readonly remote_mta: string | null;
}

export interface Decision {
	readonly outcome: Outcome;
	readonly reason: string;
	readonly report_domain: string | null;
	readonly report_domain_source: string | null;
	readonly detector: string | null;
	readonly reporting_mta: string | null;
	readonly verp: string | null;
	/** DKIM verification of the returned original, when keys are configured. */
	readonly dkim: string | null;
	readonly recipients: readonly RecipientDecision[];
}

const MAX_DIAGNOSTIC = 500;

/** What a message means, without side effects: `ingest` and `--dry-run` share it. */
export async function decide(
	input: Uint8Array,
	extension: string,
	trust: TrustOptions = TRUST_ANYONE,
): Promise<Decision> {
	let message: Message;
	let raw = input;
	try {
		message = await parseMessage(raw);
	} catch (error) {
		return empty(
			"quarantine",
			error instanceof TooManyPartsError ? "too-many-parts" : "unparsable-mime",
		);
	}
	let detection = detect(message, extension);
	if (!detection) {
		// a whole DSN passed on as an attachment: from here on, it is the message
		const forwarded = await forwardedReport(message);
		if (!forwarded) return empty("quarantine", "no-delivery-report");
		({ message, raw, bounce: detection } = forwarded);
	}
	if (detection.kind === "ignore")
		return {
			...empty("ignore", detection.reason),
			detector: detection.detector,
		};

	const verp = verpRecipient(extension);
	const recipients = judge(detection, verp);
	const found = await findReportDomain(message, raw);
	const base = {
		outcome: "ignore" as Outcome,
		reason: "",
		report_domain: found?.domain ?? null,
		report_domain_source: found?.source ?? null,
		detector: detection.detector,
		reporting_mta: detection.reportingMta ?? null,
		verp: verp ?? null,
		dkim: null as string | null,
		recipients,
	};
	if (recipients.some((r) => r.suppress)) {
		if (found === undefined && namesReportDomain(raw))
			return {
				...base,
				outcome: "quarantine",
				reason: "invalid-report-domain",
			};
		const proof = await prove(
			message,
			recipients.filter((r) => r.suppress).map((r) => r.address),
			trust,
		);
		if (proof.refused !== null)
			return {
				...base,
				dkim: proof.dkim,
				outcome: "quarantine",
				reason: `untrusted-${proof.refused}`,
			};
		return { ...base, dkim: proof.dkim, outcome: "record", reason: "failed" };
	}
	// our own failures are kept for the operator, never put on the map
	if (recipients.some((r) => r.hold === "sender-side"))
		return { ...base, outcome: "record", reason: "sender-side" };
	// kept, not listed: only an address that keeps expiring goes on the map (table)
	if (recipients.some((r) => r.hold === "expired-unreachable"))
		return { ...base, outcome: "record", reason: "expired-unreachable" };
	if (recipients.some((r) => r.hold === "invalid-address"))
		return { ...base, outcome: "quarantine", reason: "invalid-address" };
	if (recipients.every((r) => r.action === "unknown"))
		return { ...base, outcome: "quarantine", reason: "no-action" };
	return { ...base, outcome: "ignore", reason: ignoreReason(recipients) };
}

/**
 * Every recipient is judged on its own (requirements R11): only `failed` is a bounce.
 * With a VERP extension the failure belongs to the address we sent to (R15); the
 * notice itself is still needed, so VERP alone records nothing.
 */
function judge(bounce: Bounce, verp: string | undefined): RecipientDecision[] {
	const decisions = bounce.recipients.map((r) => toDecision(r));
	if (verp === undefined) return decisions;
	const failed = decisions.find((d) => d.action === "failed");
	if (!failed) return decisions;
	const rest = decisions.filter(
		(d) => d.action !== "failed" && d.address !== verp,
	);
	// the VERP key replaces an invalid address, but other holds still apply
	const hold = failed.hold === "invalid-address" ? null : failed.hold;
	return [
		{
			...failed,
			address: verp,
			orig_rcpt: verp,
			hold,
			suppress: hold === null,
		},
		...rest,
	];
}

function toDecision(report: RecipientReport): RecipientDecision {
	// R9: Original-Recipient is the address we sent to; prefer it for the key
	const key =
		(report.original && normalizeMailbox(report.original)) ||
		normalizeMailbox(report.address);
	const cause =
		report.action === "failed"
			? classifyCause(report.status, report.diagnostic)
			: null;
	const hold = holdReason(report, key, cause);
	return {
		address: key ?? printable(report.original ?? report.address),
		action: report.action,
		status: report.status ?? null,
		diagnostic:
			report.diagnostic === undefined
				? null
				: oneLine(report.diagnostic, MAX_DIAGNOSTIC),
		suppress: report.action === "failed" && hold === null,
		hold,
		cause,
		final_rcpt: oneLine(report.address, 320),
		orig_rcpt:
			report.original === undefined ? null : oneLine(report.original, 320),
		remote_mta:
			report.remoteMta === undefined ? null : oneLine(report.remoteMta, 255),
	};
}

function holdReason(
	report: RecipientReport,
	key: string | undefined,
	cause: Cause | null,
): string | null {
	if (report.action !== "failed") return null;
	if (expiredUnreachable(report.status, report.diagnostic))
		return "expired-unreachable";
	if (key === undefined) return "invalid-address";
	return cause !== null && !DEFAULT_CAUSES.has(cause) ? "sender-side" : null;
}

function ignoreReason(recipients: readonly RecipientDecision[]): string {
	if (recipients.some((r) => r.hold === "expired-unreachable"))
		return "expired-unreachable";
	if (recipients.some((r) => r.action === "delayed")) return "delay-warning";
	if (
		recipients.every(
			(r) =>
				r.action === "delivered" ||
				r.action === "relayed" ||
				r.action === "expanded",
		)
	)
		return "success-dsn";
	return "no-failed-recipient";
}

function empty(outcome: Outcome, reason: string): Decision {
	return {
		outcome,
		reason,
		report_domain: null,
		report_domain_source: null,
		detector: null,
		reporting_mta: null,
		verp: null,
		dkim: null,
		recipients: [],
	};
}
