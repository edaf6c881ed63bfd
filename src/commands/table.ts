import { defineCommand } from "citty";
import { optionValues } from "../cli/strict.ts";
import { normalizeMailbox } from "../dsn/mailbox.ts";
import { dataDirFrom, env, envFlag } from "../env.ts";
import { DataDirError, describe, toExitCode, UsageError } from "../errors.ts";
import { CAUSES, type Cause, DEFAULT_CAUSES } from "../policy/cause.ts";
import { DAY_MS, parseInstant, type WindowPolicy } from "../policy/window.ts";
import { writeFileAtomic } from "../state/atomic-write.ts";
import { hasDomains } from "../state/data-dir.ts";
import { STALE } from "../state/journal.ts";
import { type Loaded, loadFailures } from "../state/journal-read.ts";
import {
	confirmSurge,
	readReleases,
	readSurgeConfirmation,
	readWarned,
	releaseAddresses,
	writeWarned,
} from "../state/operator.ts";
import { checkPrunable, pruneDataDir } from "../state/prune.ts";
import { readRegular } from "../state/safe-fs.ts";
import { type Evaluation, evaluate } from "../table/evaluate.ts";
import { futureKey, news, sameState, type Warning } from "../table/news.ts";
import { FORMATS, type Format, renderChunks } from "../table/render.ts";

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

/**
 * `YYYY-MM-DD` (midnight UTC) or an RFC 3339 date-time; evaluates the policy at that
 * time. An impossible date is a usage error, never the next valid one.
 */
export function parseNow(value: string | undefined): number {
	if (value === undefined) return Date.now();
	const at = parseInstant(value);
	if (at === undefined)
		throw new UsageError(
			`--now takes a real date, YYYY-MM-DD (or YYYY-MM-DDTHH:MM:SSZ), not '${value}'`,
		);
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
			readRegular(file)
				.split("\n")
				.map((line) => line.split(/\s/)[0] ?? "")
				.filter((key) => key.includes("@")),
		);
	} catch {
		return new Set();
	}
}

/** Loud, plain lines for stderr: cron mails them to the operator (news once). */
function warnings(evaluation: Evaluation, dirs: readonly string[]): Warning[] {
	const out: Warning[] = [];
	const { surge } = evaluation;
	const held = evaluation.entries.filter((e) => e.hold === "surge").length;
	if (surge.tripped)
		out.push({
			keys: ["surge"],
			remindDaily: true,
			text:
				`WARNING: ${held} addresses started bouncing in the last 24 hours, from ${surge.today} bounce messages ` +
				`(usually ${surge.baseline.toFixed(1)} messages a day, threshold ${surge.threshold}): that looks like a fault on our side, ` +
				`so they are held back from the map. If they are real, confirm: dmarc-dsn-processor table --confirm-surge ${dirs[0]}`,
		});
	const ours = evaluation.entries.filter((e) => e.hold === "sender-side");
	if (ours.length > 0)
		out.push({
			keys: ours.map((e) => `sender-side ${e.address}`),
			remindDaily: false,
			text:
				`WARNING: ${ours.length} report recipients rejected us for sender-side reasons ` +
				`(DKIM/SPF/DMARC, blocklists, rate limits; e.g. ${ours[0]?.address}): check our own setup; ` +
				"they stay off the map (see --format json)",
		});
	const future = evaluation.future ?? [];
	const first = future[0];
	if (first)
		out.push({
			keys: future.map((f) => futureKey(f.address, f.at)),
			remindDaily: false,
			text:
				`WARNING: ${future.length} records are dated after now (e.g. ${first.address} on ${new Date(first.at).toISOString()}): ` +
				"the clock of the host that wrote them ran ahead; each counts from when table first saw it",
		});
	return out;
}

/** Every `--release` given (citty keeps only the last one of a repeated option). */
function releasesFrom(rawArgs: readonly string[], last: unknown): string[] {
	const out = optionValues(rawArgs, "--release");
	if (out.length > 0) return out;
	// what citty parsed, should the options come some other way
	const parsed = Array.isArray(last) ? last : [last];
	return parsed.filter((v): v is string => typeof v === "string");
}

/** Operator output worth a cron mail only when asked for (VERBOSE) or at a terminal. */
function chatty(): boolean {
	return process.stderr.isTTY === true || envFlag("VERBOSE");
}

/**
 * A journal rebuilt from scratch: when asked to, or on a terminal or with VERBOSE (the first
 * run on a data dir the original tool wrote is routine, and cron would mail it).
 */
function reportRebuilt(loaded: Loaded): void {
	for (const r of loaded.rebuilt)
		if (r.why === "asked to" || (r.why !== STALE && chatty()))
			console.error(
				`dmarc-dsn-processor table: rebuilt the journal of ${r.dir} from ${r.files} domain files (${r.why})`,
			);
}

/** Lines no record could be read from: news once, while their count stays the same. */
function skippedLines(loaded: Loaded): Warning[] {
	const { oversized, garbled, example } = loaded.stats;
	if (oversized + garbled === 0) return [];
	return [
		{
			keys: [`skipped ${oversized} ${garbled} ${example ?? ""}`],
			remindDaily: false,
			text: `WARNING: skipped ${oversized} oversized and ${garbled} garbled lines (first in ${example}); every other record counts`,
		},
	];
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
			valueHint: "N",
			description:
				"days on the map after a first bounce, 0-90 (default: $MIN_AGE, else 30)",
		},
		"max-days": {
			type: "string",
			valueHint: "N",
			description:
				"longest window for repeat offenders, up to 365 (default 90)",
		},
		"heal-days": {
			type: "string",
			valueHint: "N",
			description: "clean days that reset the repeat count (default 180)",
		},
		causes: {
			type: "string",
			valueHint: "LIST",
			description:
				"causes that put an address on the map (default recipient,message,unknown; also: sender)",
		},
		format: {
			type: "string",
			valueHint: "FORMAT",
			description: "transport (default), access, list or json",
		},
		"access-action": {
			type: "string",
			valueHint: "ACTION",
			description: "action for --format access: REJECT (default) or DISCARD",
		},
		previous: {
			type: "string",
			valueHint: "FILE",
			description:
				"the map being replaced (default: the --output file): the surge breaker keeps its keys",
		},
		output: {
			type: "string",
			valueHint: "FILE",
			description: "write to this file atomically instead of stdout",
		},
		now: {
			type: "string",
			valueHint: "DATE",
			description: "evaluate at this date (YYYY-MM-DD, UTC) instead of now",
		},
		"surge-min": {
			type: "string",
			valueHint: "N",
			description:
				"new addresses a day that never trip the breaker (default 20; 0: off)",
		},
		"surge-factor": {
			type: "string",
			valueHint: "N",
			description: "trip at this many times the daily average (default 5)",
		},
		"confirm-surge": {
			type: "boolean",
			description: "accept the addresses held back by the breaker",
		},
		release: {
			type: "string",
			valueHint: "ADDRESS",
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
			valueHint: "N",
			description:
				"with --prune: keep saved/ messages this many days (default 30)",
		},
		"saved-max-mb": {
			type: "string",
			valueHint: "MB",
			description: "with --prune: keep saved/ under this size (default 100)",
		},
		"rebuild-journal": {
			type: "boolean",
			description:
				"rebuild journal/ from every domain file (after the original tool wrote to the data dir)",
		},
	},
	run({ args, rawArgs }) {
		try {
			const dirs =
				args._.length > 0
					? args._.map((d) => dataDirFrom(d))
					: [dataDirFrom(undefined)];
			// every option is checked before anything is changed or deleted
			const clock = Date.now();
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
			const surgeMin = parseNumber(args["surge-min"], "--surge-min", 20);
			const surgeFactor = parseNumber(
				args["surge-factor"],
				"--surge-factor",
				5,
			);
			const savedMaxAgeMs =
				parseNumber(args["saved-days"], "--saved-days", 30) * DAY_MS;
			const savedMaxBytes =
				parseNumber(args["saved-max-mb"], "--saved-max-mb", 100) * 1024 * 1024;
			const releases = releasesFrom(rawArgs, args.release).map((given) => {
				const address = normalizeMailbox(given);
				if (!address)
					throw new UsageError(
						`--release takes a full mailbox address, not '${given}'`,
					);
				return address;
			});
			const first = dirs[0] ?? dataDirFrom(undefined);
			// what was already said; unreadable (a link planted in its place): say all
			let said: ReadonlyMap<string, number> | undefined;
			try {
				said = readWarned(first);
			} catch (error) {
				console.error(
					`dmarc-dsn-processor table: WARNING: ${describe(error)}: warnings cannot be remembered`,
				);
			}
			// the whole map at a time: the real clock for what is stored, --now to look
			// `previous`: the keys of the map being replaced; the main path passes the ones it read
			const evaluateAt = (
				at: number,
				previous = previousKeys(args.previous ?? args.output),
			) => {
				// the longest look-back of the policy: a window, then the healing period
				const lookBack = at - (policy.maxDays + policy.healDays) * DAY_MS;
				// evaluate() lists or holds an address only with a failure inside its longest
				// window, and counts surge starts over the last 31 days (BASELINE_DAYS + 1 in
				// src/table/evaluate.ts): older history is read for such addresses only.
				// Nothing later is left out: a record dated ahead of the clock counts (news.ts)
				const recent =
					at - (Math.max(policy.days, policy.maxDays, 31) + 1) * DAY_MS;
				const loaded = loadFailures(
					dirs,
					{
						from: lookBack,
						recent: Math.max(recent, lookBack),
						to: Number.POSITIVE_INFINITY,
					},
					args["rebuild-journal"] === true,
				);
				reportRebuilt(loaded);
				const evaluation = evaluate(
					loaded.failures,
					at,
					policy,
					{
						min: surgeMin,
						factor: surgeFactor,
						confirmedAt: readSurgeConfirmation(dirs),
						previous,
					},
					readReleases(dirs),
					{
						clock,
						firstSeen: (address, t) => said?.get(futureKey(address, t)),
					},
				);
				return {
					failures: loaded.failures,
					evaluation,
					skipped: skippedLines(loaded),
				};
			};
			// operator actions change stored state: always at the real time, never --now
			if (args.prune) {
				for (const dir of dirs) checkPrunable(dir);
				for (const dir of dirs) {
					const r = pruneDataDir(dir, {
						before: clock - (policy.maxDays + policy.healDays) * DAY_MS,
						now: clock,
						savedMaxAgeMs,
						savedMaxBytes,
					});
					if (chatty())
						console.error(
							`dmarc-dsn-processor table: pruned ${dir}: ${r.records} records, ${r.files} domain files, ${r.saved} saved messages`,
						);
				}
			}
			if (args["confirm-surge"]) confirmSurge(first, clock);
			if (releases.length > 0) {
				release(first, releases, evaluateAt(clock), clock);
				return;
			}
			// an unmounted data dir looks new (no domains/): with a map in use that
			// lists addresses, installing an empty map would lift them all
			const inUse = previousKeys(args.previous ?? args.output);
			const missing = inUse.size > 0 && dirs.find((d) => !hasDomains(d));
			if (missing)
				throw new DataDirError(
					`${missing} has no domains/ while the map in use lists ${inUse.size} addresses: not mounted? The map is left as it is`,
					"ENOENT",
				);
			const { evaluation, skipped } = evaluateAt(now, inUse);
			const map = renderChunks(evaluation, format, {
				accessAction: action,
				now,
			});
			if (args.output) writeFileAtomic(args.output, map);
			else for (const piece of map) process.stdout.write(piece);
			const all = [...warnings(evaluation, dirs), ...skipped];
			// --now looks at another day: every warning is said, nothing is remembered
			const told =
				args.now === undefined && said ? news(all, said, clock) : undefined;
			for (const warning of told?.say ?? all)
				console.error(`dmarc-dsn-processor table: ${warning.text}`);
			if (told && said && !sameState(told.state, said))
				try {
					writeWarned(first, told.state);
				} catch (error) {
					// a read-only data dir still gets its map; the warnings repeat
					console.error(
						`dmarc-dsn-processor table: WARNING: ${describe(error)}: warnings cannot be remembered`,
					);
				}
		} catch (error) {
			console.error(`dmarc-dsn-processor table: ${describe(error)}`);
			process.exitCode = toExitCode(error);
		}
	},
});

/**
 * `--release` (repeatable): each address leaves the map from the next rebuild and its
 * past bounces are forgotten; an address that is not on the map is said to be so.
 */
function release(
	dir: string,
	addresses: readonly string[],
	{
		failures,
		evaluation,
	}: { failures: { has(address: string): boolean }; evaluation: Evaluation },
	at: number,
): void {
	const known = addresses.filter((a) => failures.has(a));
	releaseAddresses(dir, [...new Set(known)], at);
	for (const address of new Set(addresses)) {
		const entry = evaluation.entries.find((e) => e.address === address);
		const line = entry?.listed
			? `released ${address}: off the map from the next rebuild`
			: entry
				? `released ${address}: it was held back (${entry.hold}), not on the map; it will not enter it`
				: failures.has(address)
					? `${address} was not on the map (no current bounce); its past bounces are forgotten`
					: `${address} was not on the map: no bounce is recorded for it; nothing released`;
		console.error(`dmarc-dsn-processor table: ${line}`);
	}
}
