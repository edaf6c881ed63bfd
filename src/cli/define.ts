/**
 * citty's defineCommand without loading citty: it returns its argument, and importing citty
 * loads node:util (about 1 ms and 4 MiB of every `ingest`, BENCHMARKS.md). The types are
 * citty's, so `runCommand` (help, `table`) takes these definitions as before.
 */
import type { ArgsDef, CommandDef } from "citty";

export function defineCommand<const T extends ArgsDef = ArgsDef>(
	def: CommandDef<T>,
): CommandDef<T> {
	return def;
}
