/**
 * Help text, printed by us rather than citty: citty colours it whatever the stream is, and
 * Postfix logs and cron mail must stay plain text. The layout is citty's (description line,
 * USAGE, ARGUMENTS, OPTIONS, COMMANDS), which scripts/release/manpage.ts parses.
 */
import type { ArgsDef } from "citty";
import { env } from "../env.ts";

interface Stream {
	readonly isTTY?: boolean;
}

/**
 * ANSI colour only on a terminal: FORCE_COLOR (not "0") turns it on anywhere, NO_COLOR
 * (https://no-color.org) or TERM=dumb off; FORCE_COLOR wins, as in Node.
 */
export function wantsColor(stream: Stream): boolean {
	const force = env("FORCE_COLOR");
	if (force !== undefined) return force !== "0" && force !== "false";
	if (env("NO_COLOR") !== undefined || env("TERM") === "dumb") return false;
	return stream.isTTY === true;
}

type Paint = (code: string, text: string) => string;
const plain: Paint = (_code, text) => text;
const ansi: Paint = (code, text) => `\u001b[${code}m${text}\u001b[0m`;

/** `queueId` -> `QUEUE_ID` */
export function positionalName(name: string): string {
	return name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

export interface UsageSpec {
	/** `dmarc-dsn-processor table` */
	readonly name: string;
	readonly description: string;
	readonly version: string;
	/** what follows the name in the USAGE line */
	readonly synopsis: string;
	readonly args?: ArgsDef;
	readonly commands?: readonly (readonly [string, string])[];
	/** a last line */
	readonly note?: string;
}

function columns(rows: readonly (readonly [string, string])[]): string[] {
	const width = Math.max(...rows.map(([name]) => name.length));
	return rows.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`);
}

/** Help text; placeholders read as values (`--days N`). */
export function renderUsage(spec: UsageSpec, color: boolean): string {
	const paint = color ? ansi : plain;
	const heading = (text: string) => paint("1", text);
	const entries = Object.entries(spec.args ?? {});
	const positionals = entries
		.filter(([, a]) => a.type === "positional")
		.map(([name, a]): [string, string] => [
			positionalName(name),
			a.description ?? "",
		]);
	const options = entries
		.filter(([, a]) => a.type !== "positional")
		.map(([name, a]): [string, string] => {
			const value =
				a.type === "string" || a.type === "enum"
					? ` ${a.valueHint ?? positionalName(name)}`
					: "";
			return [`--${name}${value}`, a.description ?? ""];
		});
	options.push(["-h, --help", "this help"], ["-V, --version", "the version"]);
	const lines = [
		`${spec.description} (${spec.name} v${spec.version})`,
		"",
		`${heading("USAGE")} ${spec.name} ${spec.synopsis}`,
		"",
	];
	const section = (title: string, rows: [string, string][]) => {
		if (rows.length === 0) return;
		lines.push(
			heading(title),
			"",
			...columns(rows).map((row) =>
				row.replace(/^( {2})(\S+(?: \S+)*)/, (_m, pad: string, name: string) =>
					name.startsWith("-") ? `${pad}${paint("36", name)}` : `${pad}${name}`,
				),
			),
			"",
		);
	};
	section("ARGUMENTS", positionals);
	if (spec.args) section("OPTIONS", options);
	section(
		"COMMANDS",
		(spec.commands ?? []).map(([n, d]): [string, string] => [n, d]),
	);
	if (spec.commands && spec.commands.length > 0)
		lines.push(
			`Use ${spec.name} <command> --help for more information about a command.`,
			"",
		);
	if (spec.note) lines.push(spec.note, "");
	return lines.join("\n");
}
