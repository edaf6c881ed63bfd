import { readFileSync } from "node:fs";
import { defineCommand } from "citty";
import { normalizeMailbox } from "../dsn/mailbox.ts";
import { dataDirFrom, env } from "../env.ts";
import { describe, toExitCode, UsageError } from "../errors.ts";
import { CAUSES, type Cause, DEFAULT_CAUSES } from "../policy/cause.ts";
import { DAY_MS, type WindowPolicy } from "../policy/window.ts";
import { writeFileAtomic } from "../state/atomic-write.ts";
import { type Loaded, loadFailures, STALE } from "../state/journal.ts";
import {
	confirmSurge,
	readReleases,
	readSurgeConfirmation,
	releaseAddress,
} from "../state/operator.ts";
import { pruneRecords, pruneSaved } from "../state/prune.ts";
import { type Evaluation, evaluate } from "../table/evaluate.ts";
import { FORMATS, type Format, render } from "../table/render.ts";

/** The original tool's MIN_AGE bounds: give the receiver a real chance to fix it. */
const MAX_DAYS = 90;
const DEFAULT_DAYS = 30;

export function parseDays(
	value: string | undefined,
	name = "days",
	fallback = DEFAULT_DAYS,
	max = MAX_DAYS,
): number {
	if (value === undefined) return fallback;
	if (!/^\d+$/.test(value.trim()) || Number(value) > max)
		throw new UsageError(
			`${name} must be a whole number from 0 to ${max}, not '${value}'`,
		);
	return Number(value);
}

/** `YYYY-MM-DD` (midnight UTC) or an ISO timestamp; evaluates the policy at that time. */
export function parseNow(value: string | undefined): number {
	if (value === undefined) return Date.now();
	const at = Date.parse(
		/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value,
	);
	if (Number.isNaN(at))
		throw new UsageError(`--now takes YYYY-MM-DD, not '${value}'`);
	return at;
}

function parseCauses(value: string | undefined): ReadonlySet<Cause> {
	if (value === undefined) return DEFAULT_CAUSES;
	const names = value.split(",").map((c) => c.trim().toLowerCase());
	for (const name of names)
		if (!CAUSES.includes(name as Cause))
			throw new UsageError(`--causes takes ${CAUSES.join(",")}, not '${name}'`);
	return new Set(names as Cause[]);
}

function parseFormat(value: string | undefined): Format {
	const format = value ?? "transport";
	if (!FORMATS.includes(format as Format))
		throw new UsageError(
			`--format takes ${FORMATS.join("|")}, not '${format}'`,
		);
	return format as Format;
}

function parseNumber(
	value: string | undefined,
	name: string,
	fallback: number,
): number {
	if (value === undefined) return fallback;
	const n = Number(value);
	if (!Number.isFinite(n) || n < 0)
		throw new UsageError(
			`${name} must be a number of 0 or more, not '${value}'`,
		);
	return n;
}

/** The keys of the map --output is about to replace, if there is one. */
function previousKeys(file: string | undefined): Set<string> {
	if (file === undefined) return new Set();
	try {
		return new Set(
			readFileSync(file, "utf8")
				.split("\n")
				.map((line) => line.split(/\s/)[0] ?? "")
				.filter((key) => key.includes("@")),
		);
	} catch {
		return new Set();
	}
}

/** Loud, plain lines on stderr: cron mails them to the operator. */
function warn(evaluation: Evaluation, dirs: readonly string[]): void {
	const { surge } = evaluation;
	if (surge.tripped)
		console.error(
			`dmarc-dsn-processor table: WARNING: ${surge.today} addresses started bouncing in the last 24 hours ` +
				`(usually ${surge.baseline.toFixed(1)} a day, threshold ${surge.threshold}): that looks like a fault on our side, ` +
				`so they are held back from the map. If they are real, confirm: dmarc-dsn-processor table --confirm-surge ${dirs[0]}`,
		);
	const ours = evaluation.entries.filter((e) => e.hold === "sender-side");
	if (ours.length > 0)
		console.error(
			`dmarc-dsn-processor table: WARNING: ${ours.length} report recipients rejected us for sender-side reasons ` +
				`(DKIM/SPF/DMARC, blocklists, rate limits; e.g. ${ours[0]?.address}): check our own setup; ` +
				"they stay off the map (see --format json)",
		);
}

/** A journal rebuilt from scratch, and lines no record could be read from. */
function reportLoad(loaded: Loaded): void {
	// not when rsync or the original tool changed domains/: that is routine
	for (const r of loaded.rebuilt)
		if (r.why !== STALE)
			console.error(
				`dmarc-dsn-processor table: rebuilt the journal of ${r.dir} from ${r.files} domain files (${r.why})`,
			);
	const { oversized, garbled, example } = loaded.stats;
	if (oversized + garbled > 0)
		console.error(
			`dmarc-dsn-processor table: WARNING: skipped ${oversized} oversized and ${garbled} garbled lines (first in ${example}); every other record counts`,
		);
}

export default defineCommand({
	meta: {
		name: "table",
		description:
			"Print the Postfix map that discards reports to addresses that bounced",
	},
	args: {
		dataDir: {
			type: "positional",
			required: false,
			description:
				"data dir(s), merged (default: $DATA_DIR, else ./dmarc_dsn_processor)",
		},
		days: {
			type: "string",
			description:
				"days on the map after a first bounce, 0-90 (default: $MIN_AGE, else 30)",
		},
		"max-days": {
			type: "string",
			description:
				"longest window for repeat offenders, up to 365 (default 90)",
		},
		"heal-days": {
			type: "string",
			description: "clean days that reset the repeat count (default 180)",
		},
		causes: {
			type: "string",
			description:
				"causes that put an address on the map (default recipient,message,unknown; also: sender)",
		},
		format: {
			type: "string",
			description: "transport (default), access, list or json",
		},
		"access-action": {
			type: "string",
			description: "action for --format access: REJECT (default) or DISCARD",
		},
		previous: {
			type: "string",
			description:
				"the map being replaced (default: the --output file): the surge breaker keeps its keys",
		},
		output: {
			type: "string",
			description: "write to this file atomically instead of stdout",
		},
		now: {
			type: "string",
			description: "evaluate at this date (YYYY-MM-DD, UTC) instead of now",
		},
		"surge-min": {
			type: "string",
			description:
				"new addresses a day that never trip the breaker (default 20; 0: off)",
		},
		"surge-factor": {
			type: "string",
			description: "trip at this many times the daily average (default 5)",
		},
		"confirm-surge": {
			type: "boolean",
			description: "accept the addresses held back by the breaker",
		},
		release: {
			type: "string",
			description:
				"take ADDRESS off the map now (its past bounces are forgotten)",
		},
		prune: {
			type: "boolean",
			description:
				"remove records that can no longer count, and old quarantined messages",
		},
		"saved-days": {
			type: "string",
			description:
				"with --prune: keep saved/ messages this many days (default 30)",
		},
		"saved-max-mb": {
			type: "string",
			description: "with --prune: keep saved/ under this size (default 100)",
		},
		"rebuild-journal": {
			type: "boolean",
			description:
				"rebuild journal/ from every domain file (after the original tool wrote to the data dir)",
		},
	},
	run({ args }) {
		try {
			const dirs =
				args._.length > 0
					? args._.map((d) => dataDirFrom(d))
					: [dataDirFrom(undefined)];
			const now = parseNow(args.now);
			const policy: WindowPolicy = {
				days: parseDays(args.days ?? env("MIN_AGE")),
				maxDays: parseDays(args["max-days"], "max-days", 90, 365),
				healDays: parseDays(args["heal-days"], "heal-days", 180, 3650),
				causes: parseCauses(args.causes),
			};
			const format = parseFormat(args.format);
			const action = (args["access-action"] ?? "REJECT").toUpperCase();
			if (action !== "REJECT" && action !== "DISCARD")
				throw new UsageError(
					`--access-action takes REJECT or DISCARD, not '${action}'`,
				);
			const first = dirs[0] ?? dataDirFrom(undefined);
			if (args.release !== undefined) {
				const address = normalizeMailbox(args.release);
				if (!address)
					throw new UsageError(
						`--release takes a full mailbox address, not '${args.release}'`,
					);
				releaseAddress(first, address, now);
				console.error(
					`dmarc-dsn-processor table: released ${address}: off the map from the next rebuild`,
				);
				return;
			}
			if (args["confirm-surge"]) confirmSurge(first, now);
			if (args.prune) {
				const horizon = now - (policy.maxDays + policy.healDays) * DAY_MS;
				for (const dir of dirs) {
					const r = pruneRecords(dir, horizon);
					const saved = pruneSaved(
						dir,
						now,
						parseNumber(args["saved-days"], "--saved-days", 30) * DAY_MS,
						parseNumber(args["saved-max-mb"], "--saved-max-mb", 100) *
							1024 *
							1024,
					);
					console.error(
						`dmarc-dsn-processor table: pruned ${dir}: ${r.records} records, ${r.files} domain files, ${saved} saved messages`,
					);
				}
			}
			// the longest look-back of the policy: a window, then the healing period
			const lookBack = now - (policy.maxDays + policy.healDays) * DAY_MS;
			// evaluate() lists or holds an address only with a failure inside its longest
			// window, and counts surge starts over the last 31 days (BASELINE_DAYS + 1 in
			// src/table/evaluate.ts): older history is read for such addresses only
			const recent =
				now - (Math.max(policy.days, policy.maxDays, 31) + 1) * DAY_MS;
			const loaded = loadFailures(
				dirs,
				{ from: lookBack, recent: Math.max(recent, lookBack), to: now },
				args["rebuild-journal"] === true,
			);
			reportLoad(loaded);
			const evaluation = evaluate(
				loaded.failures,
				now,
				policy,
				{
					min: parseNumber(args["surge-min"], "--surge-min", 20),
					factor: parseNumber(args["surge-factor"], "--surge-factor", 5),
					confirmedAt: readSurgeConfirmation(dirs),
					previous: previousKeys(args.previous ?? args.output),
				},
				readReleases(dirs),
			);
			warn(evaluation, dirs);
			const text = render(evaluation, format, { accessAction: action, now });
			if (args.output) writeFileAtomic(args.output, text);
			else process.stdout.write(text);
		} catch (error) {
			console.error(`dmarc-dsn-processor table: ${describe(error)}`);
			process.exitCode = toExitCode(error);
		}
	},
});
