import { defineCommand } from "citty";
import { dataDirFrom, env } from "../env.ts";
import { describe, toExitCode, UsageError } from "../errors.ts";
import { writeFileAtomic } from "../state/atomic-write.ts";
import { readDomainFiles } from "../state/data-dir.ts";
import { listSuppressed, renderTransportMap } from "../table/render.ts";

/** The original tool's MIN_AGE bounds: give the receiver a real chance to fix it. */
const MAX_DAYS = 90;
const DEFAULT_DAYS = 30;

export function parseDays(value: string | undefined): number {
	if (value === undefined) return DEFAULT_DAYS;
	if (!/^\d+$/.test(value.trim()) || Number(value) > MAX_DAYS)
		throw new UsageError(
			`days must be a whole number from 0 to ${MAX_DAYS}, not '${value}'`,
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

export default defineCommand({
	meta: {
		name: "table",
		description:
			"Print the Postfix transport map that discards reports to addresses that bounced",
	},
	args: {
		dataDir: {
			type: "positional",
			required: false,
			description: "data dir (default: $DATA_DIR, else ./dmarc_dsn_processor)",
		},
		days: {
			type: "string",
			description:
				"days an address stays on the map after its last bounce, 0-90 (default: $MIN_AGE, else 30)",
		},
		output: {
			type: "string",
			description: "write the map to this file atomically instead of stdout",
		},
		now: {
			type: "string",
			description: "evaluate at this date (YYYY-MM-DD, UTC) instead of now",
		},
	},
	run({ args }) {
		try {
			if (args._.length > 1)
				throw new UsageError(
					`expected at most one DATA_DIR, got ${args._.length}`,
				);
			const days = parseDays(args.days ?? env("MIN_AGE"));
			const now = parseNow(args.now);
			const files = readDomainFiles(dataDirFrom(args._[0]));
			const map = renderTransportMap(listSuppressed(files, now, days));
			if (args.output) writeFileAtomic(args.output, map);
			else process.stdout.write(map);
		} catch (error) {
			console.error(`dmarc-dsn-processor table: ${describe(error)}`);
			process.exitCode = toExitCode(error);
		}
	},
});
