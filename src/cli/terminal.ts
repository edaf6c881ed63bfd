import { fstatSync } from "node:fs";

/**
 * isatty(3) of standard input. node:tty (about 1 MiB and a few tenths of a millisecond of
 * every `ingest`, BENCHMARKS.md) loads only when stdin is a character device: Postfix's
 * pipe(8) hands us a pipe, which no terminal is; /dev/null is asked as before.
 */
export async function stdinIsTerminal(): Promise<boolean> {
	try {
		if (!fstatSync(0).isCharacterDevice()) return false;
	} catch {
		return false; // no stdin at all (closed): isatty(0) says false too
	}
	const { isatty } = await import("node:tty");
	return isatty(0);
}
