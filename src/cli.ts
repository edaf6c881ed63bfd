#!/usr/bin/env node
import type { ArgsDef } from "citty";
import leven from "leven";
import {
	argsOf,
	type CommandLine,
	closest,
	HELP,
	looksLikeOption,
	optionSpecs,
	parseCommandLine,
	parsedArgs,
	unknownOption,
	VERSION as VERSION_FLAGS,
} from "./cli/strict.ts";
import { stdinIsTerminal } from "./cli/terminal.ts";
import { renderUsage, type UsageSpec, wantsColor } from "./cli/usage.ts";
import ingest from "./commands/ingest.ts";
import { describe, EX, type ExitCode } from "./errors.ts";
import { COMMIT, VERSION } from "./version.ts";

const NAME = "dmarc-dsn-processor";
const VERSION_LINE = `${VERSION} (commit ${COMMIT})`;
const DESCRIPTION =
	"Turn bounces of DMARC aggregate reports into a Postfix map that stops further reports";

interface Command {
	/** Runs the command on what parseCommandLine made of its arguments. */
	readonly run: (line: CommandLine) => Promise<unknown>;
	/** The argument definitions (`table`'s module, and citty with it, load on first use). */
	readonly args: () => Promise<ArgsDef>;
	readonly description: string;
	readonly synopsis: string;
}

/** `table` and citty: loaded only off the ingest path (every DSN is a new process). */
const tableCommand = (): Promise<TableCommand> =>
	import("./commands/table.ts").then((m) => m.default);
type TableCommand = typeof import("./commands/table.ts")["default"];

const COMMANDS: Record<"ingest" | "table", Command> = {
	ingest: {
		// citty's runCommand without citty: ingest defines no setup, cleanup or subcommands
		run: async (line) =>
			ingest.run?.({
				rawArgs: line.rawArgs,
				args: parsedArgs(line, argsOf(ingest)),
				cmd: ingest,
			}),
		args: async () => argsOf(ingest),
		description:
			"Read one DSN on stdin (as Postfix pipe(8) delivers it) and record the failed report recipients",
		synopsis: "[OPTIONS] QUEUE_ID EXTENSION [DATA_DIR]",
	},
	table: {
		run: async (line) => {
			const [{ runCommand }, table] = await Promise.all([
				import("citty"),
				tableCommand(),
			]);
			return runCommand(table, { rawArgs: line.rawArgs });
		},
		args: async () => argsOf(await tableCommand()),
		description:
			"Print the Postfix map that discards reports to addresses that bounced",
		synopsis: "[OPTIONS] [DATA_DIR...]",
	},
};
type CommandName = keyof typeof COMMANDS;
const NAMES = Object.keys(COMMANDS) as CommandName[];

async function usage(
	command: CommandName | undefined,
	color: boolean,
): Promise<string> {
	const spec: UsageSpec = command
		? {
				name: `${NAME} ${command}`,
				description: COMMANDS[command].description,
				version: VERSION_LINE,
				synopsis: COMMANDS[command].synopsis,
				args: await COMMANDS[command].args(),
			}
		: {
				name: NAME,
				description: DESCRIPTION,
				version: VERSION_LINE,
				synopsis: `${NAMES.join("|")}`,
				args: {},
				commands: NAMES.map((n): [string, string] => [
					n,
					COMMANDS[n].description,
				]),
				note: "Without a command, QUEUE_ID EXTENSION DATA_DIR (the original tool's argv) is ingest.",
			};
	return renderUsage(spec, color);
}

async function help(command: CommandName | undefined): Promise<ExitCode> {
	process.stdout.write(`${await usage(command, wantsColor(process.stdout))}\n`);
	return EX.OK;
}

function version(): ExitCode {
	console.log(VERSION_LINE);
	return EX.OK;
}

/** An operator's mistake: one plain line on stderr, exit 64. */
function usageError(where: string, message: string): ExitCode {
	console.error(`${where}: ${message}`);
	console.error(`Try '${where} --help'.`);
	return EX.USAGE;
}

/** Under Postfix only 0 and 75 are safe: anything else bounces the DSN (postfix.md). */
function deferIngest(message: string): ExitCode {
	console.log(`4.3.0 ${message}`);
	return EX.TEMPFAIL;
}

async function runIngest(argv: readonly string[]): Promise<ExitCode> {
	let line: CommandLine;
	try {
		line = parseCommandLine(argv, await COMMANDS.ingest.args(), "verbatim");
	} catch (error) {
		return deferIngest(describe(error));
	}
	if (line.help) return help("ingest");
	if (line.version) return version();
	if (line.positionals.length === 1 && line.positionals[0] === "help")
		return help("ingest");
	// a terminal is never Postfix: say what is expected instead of waiting for EOF
	if (await stdinIsTerminal()) {
		console.error(
			`${NAME} ingest: expects one message on stdin, as Postfix's pipe(8) passes it, and stdin is a terminal ` +
				`(try: ${NAME} ingest --dry-run < bounce.eml)`,
		);
		return EX.USAGE;
	}
	await COMMANDS.ingest.run(line);
	return (process.exitCode as ExitCode | undefined) ?? EX.OK;
}

async function runTable(argv: readonly string[]): Promise<ExitCode> {
	const where = `${NAME} table`;
	let line: CommandLine;
	try {
		line = parseCommandLine(argv, await COMMANDS.table.args(), "no-options");
	} catch (error) {
		return usageError(where, describe(error));
	}
	if (line.help) return help("table");
	if (line.version) return version();
	if (line.positionals.length === 1 && line.positionals[0] === "help")
		return help("table");
	await COMMANDS.table.run(line);
	return (process.exitCode as ExitCode | undefined) ?? EX.OK;
}

/** A word that is a typo of a command, not a Postfix queue id (hex or base-52, 10+ chars). */
function misspeltCommand(word: string): string | undefined {
	if (!/^[a-z]{3,8}$/.test(word)) return undefined;
	const near = closest(word, [...NAMES, "help"]);
	return near !== undefined && leven(word, near) <= 2 ? near : undefined;
}

/**
 * `ingest ...`, `table ...`, `help [COMMAND]`, `--help`, `--version`, or the original tool's
 * argv with no command, `QUEUE_ID EXTENSION DATA_DIR` (the extension may be empty): ingest.
 */
export async function main(argv: readonly string[]): Promise<ExitCode> {
	const [first, ...rest] = argv;
	if (first === "ingest") return runIngest(rest);
	if (first === "table") return runTable(rest);
	if (first === undefined) {
		process.stderr.write(
			`${await usage(undefined, wantsColor(process.stderr))}\n`,
		);
		return EX.USAGE;
	}
	if (first === "help") {
		const [topic] = rest;
		if (topic === undefined) return help(undefined);
		if (topic === "ingest" || topic === "table") return help(topic);
		return usageError(
			NAME,
			`no command ${topic} (commands: ${NAMES.join(", ")})`,
		);
	}
	if (looksLikeOption(first)) {
		if ((HELP as readonly string[]).includes(first)) return help(undefined);
		if ((VERSION_FLAGS as readonly string[]).includes(first)) return version();
		for (const name of NAMES)
			if (
				optionSpecs(await COMMANDS[name].args()).some((s) =>
					first.startsWith(s.flag),
				)
			)
				return usageError(
					NAME,
					`${first} is an option of ${name}: ${NAME} ${name} ${first} ...`,
				);
		return usageError(NAME, unknownOption(first, []));
	}
	const near = misspeltCommand(first);
	if (near !== undefined)
		return usageError(NAME, `unknown command ${first} (did you mean ${near}?)`);
	// the original's master.cf line: argv=... ${queue_id} ${extension} /path/to/data_dir
	return runIngest(["--", ...argv]);
}

const rawArgs = process.argv.slice(2);
// drop-in (no command) and ingest are run by Postfix: nothing may escape as another exit code
const underPostfix = rawArgs[0] === "ingest" || isDropIn(rawArgs[0]);
function isDropIn(first: string | undefined): boolean {
	return (
		first !== undefined &&
		first !== "table" &&
		first !== "help" &&
		!looksLikeOption(first) &&
		misspeltCommand(first) === undefined
	);
}
main(rawArgs).then(
	(code) => {
		process.exitCode = code;
		if (underPostfix) process.exit(code);
	},
	(error: unknown) => {
		if (underPostfix) process.exitCode = deferIngest(describe(error));
		else {
			console.error(`${NAME}: ${describe(error)}`);
			process.exitCode = EX.SOFTWARE;
		}
	},
);
