import { forwardedReport } from "./detect/generic/forwarded.ts";
import { detect } from "./detect/index.ts";
import type { Action, Bounce, RecipientReport } from "./detect/types.ts";
import { expiredUnreachable } from "./dsn/expiry.ts";
import { keyHold, normalizeMailbox } from "./dsn/mailbox.ts";
import { DataDirError, oneLine, printable, TempFailError } from "./errors.ts";
import {
	type Message,
	parseMessage,
	TooManyPartsError,
} from "./mail/message.ts";
import { type Cause, classifyCause, DEFAULT_CAUSES } from "./policy/cause.ts";
import {
	findReportDomain,
	namesReportDomain,
	returnedReport,
} from "./report/index.ts";
import {
	namedRecipients,
	prove,
	TRUST_ANYONE,
	type TrustOptions,
} from "./trust/proof.ts";
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
/** How much of a diagnostic the cause and expiry patterns read. */
const MAX_CLASSIFIED = 4000;

/**
 * At most this many addresses are recorded from one message (issue 11): a report goes
 * to the few addresses of one domain's rua= (RFC 7489 §6.3 allows a list; real records
 * name one to three), and Postfix sends one report per domain. A DSN that names more
 * is not a bounce of one report: it is quarantined as `too-many-recipients`, so no
 * single message can put a crowd on the map or grow a domain file without limit.
 */
export const MAX_RECORDED = 10;

/** Length caps of stored fields that come from the message (RFC 5321 §4.5.3.1 limits). */
const MAX_STATUS = 32;
const MAX_MTA = 255;

/**
 * What a message means, without side effects: `ingest` and `--dry-run` share it.
 * Bounded effect (issue 11): a message that no parser can read, at any depth, is
 * quarantined (`unparsable-mime`, `internal-error`), never retried: only TempFailError
 * (DNS) and the data dir are transient. A decision records at most MAX_RECORDED addresses.
 */
export async function decide(
	input: Uint8Array,
	extension: string,
	trust: TrustOptions = TRUST_ANYONE,
): Promise<Decision> {
	if (countLines(input, MAX_LINES) > MAX_LINES)
		return empty("quarantine", "too-many-lines");
	let decision: Decision;
	try {
		decision = await decideMessage(input, extension, trust);
	} catch (error) {
		if (error instanceof TempFailError || error instanceof DataDirError)
			throw error;
		// postal-mime's nesting and header limits, inside a returned original too; any
		// other error is ours, and no retry would change it: kept for a replay once fixed
		return empty(
			"quarantine",
			error instanceof Error && /mime|nesting|header/i.test(error.message)
				? "unparsable-mime"
				: "internal-error",
		);
	}
	if (decision.outcome !== "record") return decision;
	if (decision.recipients.filter(recorded).length > MAX_RECORDED)
		return {
			...decision,
			outcome: "quarantine",
			reason: "too-many-recipients",
		};
	return decision;
}

/**
 * The MIME parser pays per line (about 2 µs): 20 MB of 3-byte folded lines or a
 * returned original of a million header lines would take it tens of seconds. Real DSNs
 * stay far below: 20 MB of base64 is 270,000 lines. More lines than this are not parsed.
 */
export const MAX_LINES = 500_000;

/** LF-terminated lines in `bytes`, counted up to `max + 1`. */
function countLines(bytes: Uint8Array, max: number): number {
	let count = 0;
	for (
		let i = bytes.indexOf(10);
		i >= 0 && count <= max;
		i = bytes.indexOf(10, i + 1)
	)
		count++;
	return count;
}

/** The recipients a record outcome writes (src/state/store.ts). */
export function recorded(r: RecipientDecision): boolean {
	return r.suppress || r.hold === "sender-side";
}

async function decideMessage(
	input: Uint8Array,
	extension: string,
	trust: TrustOptions,
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
	const report = await returnedReport(message);
	const recipients = onlyNamed(
		judge(detection, verp, message.text),
		report === undefined ? [] : namedRecipients(report),
	);
	const found = await findReportDomain(message, raw);
	const base = {
		outcome: "ignore" as Outcome,
		reason: "",
		report_domain: found?.domain ?? null,
		report_domain_source: found?.source ?? null,
		detector: detection.detector,
		reporting_mta:
			detection.reportingMta === undefined
				? null
				: oneLine(detection.reportingMta, MAX_MTA),
		verp: verp ?? null,
		dkim: null as string | null,
		recipients,
	};
	// our own (sender-side) failures are recorded too: kept for the operator, and mapped
	// under --causes ...,sender, so they need the same proof as any other (issue 11); so are
	// expiries, which reach the map when they repeat (table)
	const recorded = recipients.filter(
		(r) =>
			r.suppress ||
			r.hold === "sender-side" ||
			r.hold === "expired-unreachable",
	);
	if (recorded.length > 0) {
		const suppress = recorded.some((r) => r.suppress);
		if (suppress && found === undefined && namesReportDomain(raw))
			return {
				...base,
				outcome: "quarantine",
				reason: "invalid-report-domain",
			};
		const proof = await prove(
			message,
			recorded.map((r) => r.address),
			trust,
		);
		if (proof.refused !== null)
			return {
				...base,
				dkim: proof.dkim,
				outcome: "quarantine",
				reason: `untrusted-${proof.refused}`,
			};
		return {
			...base,
			dkim: proof.dkim,
			outcome: "record",
			reason: suppress
				? "failed"
				: recorded.some((r) => r.hold === "sender-side")
					? "sender-side"
					: "expired-unreachable",
		};
	}
	if (recipients.some((r) => r.hold === NOT_A_RECIPIENT))
		return { ...base, outcome: "quarantine", reason: NOT_A_RECIPIENT };
	if (recipients.some((r) => r.hold === "invalid-address"))
		return { ...base, outcome: "quarantine", reason: "invalid-address" };
	// kept for the operator and reported, never recorded for the map (issue 12)
	for (const hold of KEPT_HOLDS)
		if (recipients.some((r) => r.hold === hold))
			return { ...base, outcome: "quarantine", reason: hold };
	if (recipients.every((r) => r.action === "unknown"))
		return { ...base, outcome: "quarantine", reason: "no-action" };
	return { ...base, outcome: "ignore", reason: ignoreReason(recipients) };
}

/**
 * Every recipient is judged on its own (requirements R11): only `failed` is a bounce.
 * With a VERP extension the failure belongs to the address we sent to (R15); the
 * notice itself is still needed, so VERP alone records nothing.
 */
function judge(
	bounce: Bounce,
	verp: string | undefined,
	text: string,
): RecipientDecision[] {
	const decisions = bounce.recipients.map((r) => toDecision(r, text));
	if (verp === undefined) return decisions;
	const failed = decisions.find((d) => d.action === "failed");
	if (!failed) return decisions;
	const rest = decisions.filter(
		(d) => d.action !== "failed" && d.address !== verp,
	);
	// the VERP key replaces an invalid address, but other holds still apply
	const keyed =
		failed.hold === "invalid-address" ||
		failed.hold === "case-folding" ||
		failed.hold === "map-comment";
	const hold = keyed ? keyHold(verp) : failed.hold;
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

const NOT_A_RECIPIENT = "not-a-recipient";

/**
 * Issue 11: a returned original that is one of our DMARC aggregate reports went to the
 * rua addresses its To/Cc name (`named`, normalised as map keys). Only a failed
 * recipient named there can be recorded: its key (R9: Original-Recipient before
 * Final-Recipient; with VERP the VERP address, R15) must be one of them, else it is held
 * as `not-a-recipient`. A DSN cannot make us suppress an address the report never
 * went to. With no named address (not our report, no To/Cc), the generic rule stands:
 * a bounce's failed envelope recipients need not stand in its To.
 */
function onlyNamed(
	decisions: RecipientDecision[],
	named: readonly string[],
): RecipientDecision[] {
	if (named.length === 0) return decisions;
	const rua = new Set(named);
	return decisions.map((d) =>
		d.action === "failed" &&
		(d.hold === null ||
			d.hold === "sender-side" ||
			d.hold === "expired-unreachable") &&
		!rua.has(d.address)
			? { ...d, suppress: false, hold: NOT_A_RECIPIENT }
			: d,
	);
}

/** Holds that quarantine the message when nothing else in it is suppressed. */
const KEPT_HOLDS = ["alias-member", "case-folding", "map-comment"] as const;

function toDecision(report: RecipientReport, text: string): RecipientDecision {
	// R9: Original-Recipient is the address we sent to; prefer it for the key
	const key =
		(report.original && normalizeMailbox(report.original)) ||
		normalizeMailbox(report.address);
	// the patterns of cause and expiry read a bounded text (issue 11): a detector may
	// hand over a whole line of any length
	const diagnostic = report.diagnostic?.slice(0, MAX_CLASSIFIED);
	const cause =
		report.action === "failed"
			? classifyCause(report.status, diagnostic)
			: null;
	const hold = holdReason(report, key, cause, text);
	return {
		address: key ?? printable(report.original ?? report.address),
		action: report.action,
		status:
			report.status === undefined ? null : oneLine(report.status, MAX_STATUS),
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
			report.remoteMta === undefined
				? null
				: oneLine(report.remoteMta, MAX_MTA),
	};
}

function holdReason(
	report: RecipientReport,
	key: string | undefined,
	cause: Cause | null,
	text: string,
): string | null {
	if (report.action !== "failed") return null;
	if (
		expiredUnreachable(
			report.status,
			report.diagnostic?.slice(0, MAX_CLASSIFIED),
		)
	)
		return "expired-unreachable";
	if (key === undefined) return "invalid-address";
	if (aliasMember(report, text)) return "alias-member";
	const unsafe = keyHold(key);
	if (unsafe !== null) return unsafe;
	return cause !== null && !DEFAULT_CAUSES.has(cause) ? "sender-side" : null;
}

/**
 * The address we sent to was expanded by the remote (an alias or a list) and only a
 * member failed: Final-Recipient is another mailbox and the notice says so, Postfix's
 * `<member> (expanded from <original>)`. The alias still works for its other members,
 * and we never wrote to the member: neither goes on the map (issue 12, R9).
 */
function aliasMember(report: RecipientReport, text: string): boolean {
	if (report.original === undefined) return false;
	const original = normalizeMailbox(report.original);
	const final = normalizeMailbox(report.address);
	if (original === undefined || final === undefined || original === final)
		return false;
	// Postfix: "<member> (expanded from <alias>)"; Exim: "(generated from alias)"
	const lower = text.toLowerCase();
	return [report.original.trim().toLowerCase(), original].some(
		(a) =>
			lower.includes(`expanded from <${a}>`) ||
			lower.includes(`generated from ${a}`) ||
			lower.includes(`generated from <${a}>`),
	);
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
