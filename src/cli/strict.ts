/**
 * Strict command lines for both commands: every option must be one the command defines, in
 * the place getopt(3) would read it (before the first positional). citty itself accepts
 * anything (`--bogus` is ignored, `--fromat json` makes `json` a positional), which for
 * `ingest --require_dkim` would mean running without the check the admin asked for.
 */
import type { ArgsDef, CommandDef, ParsedArgs } from "citty";
import leven from "leven";
import { UsageError } from "../errors.ts";

/** A command's argument definitions: a plain object here (citty would also take a function). */
export function argsOf<T extends ArgsDef>(command: CommandDef<T>): T {
	const args = command.args;
	if (args === undefined) return {} as T;
	if (typeof args === "function" || args instanceof Promise)
		throw new Error("argument definitions must be a plain object");
	return args;
}

export const HELP = ["--help", "-h"] as const;
export const VERSION = ["--version", "-V"] as const;

export interface OptionSpec {
	/** `--name` */
	readonly flag: string;
	readonly takesValue: boolean;
}

/** The options a citty argument definition declares, as `--name` flags. */
export function optionSpecs(def: ArgsDef): OptionSpec[] {
	return Object.entries(def)
		.filter(([, arg]) => arg.type !== "positional")
		.map(([name, arg]) => ({
			flag: `--${name}`,
			takesValue: arg.type === "string" || arg.type === "enum",
		}));
}

/** How a command reads what follows its first positional. */
export type Positionals =
	/** `ingest`: verbatim (the extension comes from whoever wrote the address) */
	| "verbatim"
	/** `table`: an option there is a mistake, reported as one */
	| "no-options";

export interface CommandLine {
	readonly help: boolean;
	readonly version: boolean;
	/** `[name, value]`, in order; `true` for a flag */
	readonly options: readonly (readonly [string, string | true])[];
	readonly positionals: readonly string[];
	/** For citty: the options as given (`--name value`, `--name=value`), `--`, the positionals. */
	readonly rawArgs: string[];
}

/** `--name=value` or `--name`: the flag part. */
function flagOf(arg: string): string {
	const eq = arg.indexOf("=");
	return arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
}

/** An argument that getopt would take for an option: `-x`, `--x`, but not `-` or `--`. */
export function looksLikeOption(arg: string): boolean {
	return arg.length > 1 && arg.startsWith("-") && arg !== "--";
}

/** The closest of `candidates` to `word`, if it is close enough to be a typo. */
export function closest(
	word: string,
	candidates: readonly string[],
): string | undefined {
	// `--require_dkim`, `--requiredkim`, `--reqiure-dkim`: one or two edits away
	const norm = (s: string) => s.toLowerCase().replace(/_/g, "-");
	let best: string | undefined;
	let bestDistance = Number.POSITIVE_INFINITY;
	for (const candidate of candidates) {
		const d = leven(norm(word), norm(candidate));
		if (d < bestDistance) {
			best = candidate;
			bestDistance = d;
		}
	}
	const limit = Math.max(2, Math.floor(word.replace(/^-+/, "").length / 3));
	return bestDistance <= limit ? best : undefined;
}

/** "unknown option --x (did you mean --y?)" */
export function unknownOption(
	arg: string,
	specs: readonly OptionSpec[],
): string {
	const flag = flagOf(arg);
	const known = [...specs.map((s) => s.flag), ...HELP, ...VERSION];
	const near = closest(flag, known);
	return near
		? `unknown option ${flag} (did you mean ${near}?)`
		: `unknown option ${flag} (see --help)`;
}

/**
 * Parses `argv` (what follows the command name) against the command's options. Options come
 * first (`--name value` or `--name=value`); `--` or the first non-option starts the positionals.
 * A value is taken as given, even when it looks like a positional. Throws UsageError.
 */
export function parseCommandLine(
	argv: readonly string[],
	def: ArgsDef,
	positionals: Positionals,
): CommandLine {
	const specs = optionSpecs(def);
	const byFlag = new Map(specs.map((s) => [s.flag, s]));
	const options: [string, string | true][] = [];
	const tokens: string[] = [];
	const rest: string[] = [];
	let help = false;
	let version = false;
	let literal = false;
	let i = 0;
	for (; i < argv.length; i++) {
		const arg = argv[i] ?? "";
		if (arg === "--") {
			literal = true;
			i++;
			break;
		}
		if (!looksLikeOption(arg)) break;
		if ((HELP as readonly string[]).includes(arg)) {
			help = true;
			continue;
		}
		if ((VERSION as readonly string[]).includes(arg)) {
			version = true;
			continue;
		}
		const flag = flagOf(arg);
		const spec = byFlag.get(flag);
		if (!spec || !arg.startsWith("--"))
			throw new UsageError(unknownOption(arg, specs));
		if (!spec.takesValue) {
			if (flag !== arg) throw new UsageError(`option ${flag} takes no value`);
			options.push([spec.flag, true]);
			tokens.push(arg);
			continue;
		}
		if (flag !== arg) {
			options.push([spec.flag, arg.slice(flag.length + 1)]);
			tokens.push(arg);
			continue;
		}
		const value = argv[i + 1];
		if (value === undefined)
			throw new UsageError(`option ${flag} needs a value`);
		if (
			byFlag.has(flagOf(value)) ||
			(HELP as readonly string[]).includes(value) ||
			(VERSION as readonly string[]).includes(value)
		)
			throw new UsageError(
				`option ${flag} needs a value, not the option ${flagOf(value)}`,
			);
		options.push([spec.flag, value]);
		tokens.push(arg, value);
		i++;
	}
	for (; i < argv.length; i++) {
		const arg = argv[i] ?? "";
		if (positionals === "no-options" && !literal && arg === "--") {
			literal = true;
			continue;
		}
		if (positionals === "no-options" && !literal && looksLikeOption(arg)) {
			if ((HELP as readonly string[]).includes(arg)) help = true;
			else if ((VERSION as readonly string[]).includes(arg)) version = true;
			else if (byFlag.has(flagOf(arg)))
				throw new UsageError(wrongPlace(arg, "DATA_DIR"));
			else throw new UsageError(unknownOption(arg, specs));
			continue;
		}
		rest.push(arg);
	}
	const rawArgs = [...tokens, "--", ...rest];
	return { help, version, options, positionals: rest, rawArgs };
}

/** "option --x in the wrong place: options go before QUEUE_ID" */
export function wrongPlace(arg: string, first: string): string {
	return `option ${flagOf(arg)} in the wrong place: options go before ${first}`;
}

/**
 * Every value of a repeatable value option (`--flag V` or `--flag=V`), in order, from the
 * arguments as given: citty keeps only the last one. Options stop at "--".
 */
export function optionValues(
	rawArgs: readonly string[],
	flag: string,
): string[] {
	const values: string[] = [];
	for (let i = 0; i < rawArgs.length; i++) {
		const arg = rawArgs[i] ?? "";
		if (arg === "--") break;
		if (arg === flag && i + 1 < rawArgs.length) values.push(rawArgs[++i] ?? "");
		else if (arg.startsWith(`${flag}=`))
			values.push(arg.slice(flag.length + 1));
	}
	return values;
}

/**
 * What citty's parser makes of a command line that parseCommandLine accepted: `_` (the
 * positionals), each positional by name, each option given by name (a flag `true`, a value
 * option its last value). `ingest` runs with this instead of citty: citty loads node:util,
 * about 1 ms and 4 MiB of every DSN (BENCHMARKS.md, ingest section).
 */
export function parsedArgs<T extends ArgsDef>(
	line: CommandLine,
	def: T,
): ParsedArgs<T> {
	const parsed: Record<string, string | boolean | string[] | undefined> = {
		_: [...line.positionals],
	};
	let next = 0;
	for (const [name, arg] of Object.entries(def))
		if (arg.type === "positional") {
			const value = line.positionals[next++];
			parsed[name] = value ?? (arg.default as string | undefined);
		}
	for (const [flag, value] of line.options) parsed[flag.slice(2)] = value;
	return parsed as ParsedArgs<T>;
}
