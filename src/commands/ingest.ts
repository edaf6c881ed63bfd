import { setImmediate } from "node:timers";
import { defineCommand } from "../cli/define.ts";
import { looksLikeOption, optionValues, wrongPlace } from "../cli/strict.ts";
import { type Decision, decide } from "../decide.ts";
import { normalizeMailbox } from "../dsn/mailbox.ts";
import { dataDirFrom, env, envFlag } from "../env.ts";
import { describe, EX, oneLine, UsageError } from "../errors.ts";
import { readStdin } from "../mail/stdin.ts";
import { prepareDataDir } from "../state/data-dir.ts";
import { quarantine, recordFailures } from "../state/store.ts";
import type { DkimKeyLookup } from "../trust/dkim.ts";
import { checkTrust, type TrustOptions } from "../trust/proof.ts";

/** Larger input is quarantined truncated, not parsed (Postfix's message_size_limit is 10 MB). */
const MAX_MESSAGE_BYTES = 20 * 1024 * 1024;
/** Well below pipe(8)'s time limit, past which Postfix would bounce the DSN. */
const DEADLINE_MS = 120_000;

interface IngestOptions {
	readonly queueId: string;
	readonly extension: string;
	readonly dataDir: string;
	readonly dryRun: boolean;
	readonly trust: TrustOptions;
}

/** Every value of a repeatable option: `--sender a --sender=b`. */
async function trustOptions(
	rawArgs: readonly string[],
	requireDkim: boolean,
): Promise<TrustOptions> {
	const senders = [
		...optionValues(rawArgs, "--sender"),
		...(env("REPORT_SENDERS") ?? "").split(","),
	]
		.map((s) => s.trim())
		.filter(Boolean);
	for (const sender of senders)
		if (!normalizeMailbox(sender))
			throw new UsageError(`--sender takes a full address, not '${sender}'`);
	const keys = optionValues(rawArgs, "--dkim-key");
	let dkim: DkimKeyLookup | undefined;
	let domains: string[] = [];
	if (keys.length > 0 || requireDkim) {
		// node:crypto and node:dns load only with DKIM options (ingest start-up time)
		const { combineLookups, dnsKeyLookup, fileKeyLookup, keyDomains } =
			await import("../trust/dkim.ts");
		try {
			dkim = combineLookups(fileKeyLookup(keys), dnsKeyLookup());
			domains = keyDomains(keys);
		} catch (error) {
			throw new UsageError(describe(error));
		}
	}
	const trust = { senders, dkim, requireDkim, keyDomains: domains };
	try {
		checkTrust(trust);
	} catch (error) {
		throw new UsageError(describe(error));
	}
	return trust;
}

/** Positionals as Postfix passes them: QUEUE_ID EXTENSION [DATA_DIR] (postfix.md). */
function options(
	positionals: readonly string[],
	dryRun: boolean,
	trust: TrustOptions,
): IngestOptions {
	checkPositionals(positionals, dryRun);
	return {
		queueId: positionals[0] ?? "dry-run",
		extension: positionals[1] ?? "",
		dataDir: dataDirFrom(positionals[2]),
		dryRun,
		trust,
	};
}

/** Says what is wrong with the positionals, if anything (the extension may look like anything). */
export function checkPositionals(
	positionals: readonly string[],
	dryRun: boolean,
): void {
	const expected = "expected QUEUE_ID EXTENSION [DATA_DIR]";
	const n = positionals.length;
	// only the extension comes from outside (sender+--x@...); an option after it is the admin's
	const misplaced = positionals.slice(2).find(looksLikeOption);
	if (misplaced !== undefined)
		throw new UsageError(wrongPlace(misplaced, "QUEUE_ID"));
	if (n > 3)
		// more words than expected: ${extension} expanded to several (recipient limit above 1)
		throw new UsageError(
			`${expected}, got ${n} arguments, too many: \${extension} expands to one word per recipient; ` +
				"set <transport>_destination_recipient_limit = 1 in main.cf",
		);
	if (!dryRun && n < 2)
		throw new UsageError(
			n === 0
				? `${expected}, got none: master.cf needs argv=... ingest \${queue_id} \${extension} DATA_DIR`
				: `${expected}, got only '${positionals[0]}': the extension is missing (it may be empty, but must be there: \${extension})`,
		);
}

/**
 * SIGTERM and SIGINT (postfix stop, a shutdown, an operator's ^C) end ingest with 75
 * and nothing half-written (issue 11): JavaScript handles a signal only between
 * synchronous sections, each write to the data dir is one such section (one write(2)
 * per record, a saved file created whole or removed), and `checkpoint()` lets a pending
 * signal in before the first write. Once a write is made, the DSN is done: the handler
 * then lets the run finish with its own exit code rather than have Postfix deliver the
 * DSN twice.
 */
const interrupt = { committed: false };

function onSignal(signal: NodeJS.Signals): void {
	if (interrupt.committed) return;
	console.log(`4.3.0 interrupted by ${signal}, will retry`);
	process.exit(EX.TEMPFAIL);
}

/** Yields to the event loop so that a signal received so far is handled now. */
function checkpoint(): Promise<void> {
	return new Promise((resolve) => setImmediate(resolve));
}

export async function ingest(
	opts: IngestOptions,
	verbose: (line: string) => void,
): Promise<string> {
	if (!opts.dryRun) prepareDataDir(opts.dataDir);
	const input = await readStdin(MAX_MESSAGE_BYTES);
	await checkpoint();
	if (input.truncated) {
		if (opts.dryRun)
			return JSON.stringify({
				outcome: "quarantine",
				reason: "too-large",
				report_domain: null,
				recipients: [],
			});
		interrupt.committed = true;
		const saved = quarantine(
			opts.dataDir,
			input.bytes,
			opts.queueId,
			"too-large",
			input.size,
		);
		return `quarantined too-large (${input.size} bytes): ${saved}`;
	}
	const decision = await decide(input.bytes, opts.extension, opts.trust);
	verbose(`decision: ${JSON.stringify(decision)}`);
	if (opts.dryRun) return JSON.stringify(decision);
	await checkpoint();
	interrupt.committed = decision.outcome !== "ignore";
	switch (decision.outcome) {
		case "record": {
			const file = recordFailures(
				opts.dataDir,
				decision,
				oneLine(opts.queueId, 64),
				new Date(),
			);
			return summary(decision, file);
		}
		case "quarantine":
			return `quarantined ${decision.reason}: ${quarantine(opts.dataDir, input.bytes, opts.queueId, decision.reason)}`;
		case "ignore":
			return summary(decision, undefined);
	}
}

/** One plain line: Postfix logs the first ~100 characters of it with the queue id. */
function summary(decision: Decision, file: string | undefined): string {
	const listed = decision.recipients
		.filter(
			(r) =>
				file === undefined ||
				r.suppress ||
				r.hold === "sender-side" ||
				r.hold === "expired-unreachable",
		)
		.map(
			(r) =>
				`${r.address} (${r.status ?? r.action}${r.hold === "sender-side" ? ", sender-side: not suppressed" : r.hold === "expired-unreachable" && file !== undefined ? ", expired: listed only if it expires again" : ""})`,
		)
		.join(", ");
	if (file === undefined)
		return `ignored ${decision.reason}${listed ? `: ${listed}` : ""}`;
	// our own setup failing (DKIM/SPF/DMARC, blocklists) must stand out in the log
	const loud =
		decision.reason === "sender-side" ? "WARNING sender-side failure, " : "";
	if (decision.report_domain === null)
		return `${loud}recorded without report domain (domains/${file}): ${listed}`;
	return `${loud}recorded ${decision.report_domain}: ${listed}`;
}

export default defineCommand({
	meta: {
		name: "ingest",
		description:
			"Read one DSN on stdin (as Postfix pipe(8) delivers it) and record the failed report recipients",
	},
	args: {
		queueId: {
			type: "positional",
			required: false,
			description: "queue id of the DSN (Postfix: queue_id)",
		},
		extension: {
			type: "positional",
			required: false,
			description:
				"address extension (Postfix: extension): VERP local=domain, may be empty",
		},
		dataDir: {
			type: "positional",
			required: false,
			description: "data dir (default: $DATA_DIR, else ./dmarc_dsn_processor)",
		},
		"dry-run": {
			type: "boolean",
			description: "write nothing; print the decision as JSON",
		},
		verbose: {
			type: "boolean",
			description: "details on stderr (also VERBOSE=1, true or yes)",
		},
		sender: {
			type: "string",
			valueHint: "ADDRESS",
			description:
				"our report sender; repeatable (also $REPORT_SENDERS): only bounces of reports it sent count",
		},
		"dkim-key": {
			type: "string",
			valueHint: "NAME=FILE",
			description:
				"selector._domainkey.domain=FILE: our DKIM public key (TXT record or PEM); repeatable",
		},
		"require-dkim": {
			type: "boolean",
			description:
				"only a verified DKIM signature of ours on the returned headers may make us suppress",
		},
	},
	async run({ args, rawArgs }) {
		const details: string[] = [];
		const verbose = args.verbose === true || envFlag("VERBOSE");
		process.on("SIGTERM", onSignal);
		process.on("SIGINT", onSignal);
		const timer = setTimeout(() => {
			console.log(`4.3.0 timed out after ${DEADLINE_MS / 1000} s, will retry`);
			process.exit(EX.TEMPFAIL);
		}, DEADLINE_MS);
		try {
			const trust = await trustOptions(rawArgs, args["require-dkim"] === true);
			const opts = options(args._, args["dry-run"] === true, trust);
			console.log(await ingest(opts, (line) => details.push(line)));
			process.exitCode = EX.OK;
		} catch (error) {
			// pipe(8): a leading RFC 3463 code overrides the exit status; keep both at 4.3.0/75
			console.log(`4.3.0 ${describe(error)}`);
			process.exitCode = EX.TEMPFAIL;
		} finally {
			clearTimeout(timer);
			// after the summary, so the line Postfix logs starts with it
			if (verbose) for (const line of details) console.error(line);
		}
	},
});
