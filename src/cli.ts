#!/usr/bin/env node
import { defineCommand, runCommand, runMain } from "citty";
import ingest, { VALUE_OPTIONS } from "./commands/ingest.ts";
import table from "./commands/table.ts";
import { EX } from "./errors.ts";
import { COMMIT, VERSION } from "./version.ts";

const main = defineCommand({
	meta: {
		name: "dmarc-dsn-processor",
		version: `${VERSION} (commit ${COMMIT})`,
		description:
			"Turn bounces of DMARC aggregate reports into a Postfix map that stops further reports",
	},
	subCommands: { ingest, table },
});

/**
 * Postfix passes `ingest [OPTIONS] QUEUE_ID EXTENSION DATA_DIR`, and the extension
 * comes from whoever wrote the address (`sender+--help@...`, `sender+--@...`). Options
 * count only before the first positional (POSIX getopt), so "--" goes in front of it.
 */
function separatePositionals(rawArgs: readonly string[]): string[] | undefined {
	if (rawArgs[0] !== "ingest") return undefined;
	for (let i = 1; i < rawArgs.length; i++) {
		const arg = rawArgs[i] ?? "";
		if (arg === "--") return undefined;
		if (VALUE_OPTIONS.has(arg)) i++;
		else if (arg === "" || !arg.startsWith("-"))
			return [...rawArgs.slice(0, i), "--", ...rawArgs.slice(i)];
	}
	return undefined;
}

const rawArgs = process.argv.slice(2);
const ingestArgs = separatePositionals(rawArgs);
if (ingestArgs) {
	// ingest owns its exit code; anything citty throws must still keep the DSN queued
	runCommand(main, { rawArgs: ingestArgs }).catch((error: unknown) => {
		console.log(`4.3.0 ${String(error).replace(/\s+/g, " ")}`);
		process.exitCode = EX.TEMPFAIL;
	});
} else {
	void runMain(main, { rawArgs });
}
