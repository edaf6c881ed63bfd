/** sysexits(3) codes. Under Postfix pipe(8) only 0 and 75 are safe for ingest (postfix.md). */
export const EX = {
	OK: 0,
	USAGE: 64,
	NOINPUT: 66,
	SOFTWARE: 70,
	CANTCREAT: 73,
	IOERR: 74,
	TEMPFAIL: 75,
} as const;

export type ExitCode = (typeof EX)[keyof typeof EX];

/** Something the operator must fix (arguments, options); `table` exits 64 for it. */
export class UsageError extends Error {
	override name = "UsageError";
}

/** A transient problem: the DSN must stay in the Postfix queue (exit 75). */
export class TempFailError extends Error {
	override name = "TempFailError";
}

/** The data dir (or a file in it) cannot be read or written. */
export class DataDirError extends Error {
	override name = "DataDirError";
	constructor(
		message: string,
		readonly code: string | undefined = undefined,
	) {
		super(message);
	}
}

/** One line, no control characters: Postfix logs it and turns escapes into `_`. */
export function describe(error: unknown): string {
	const text = error instanceof Error ? `${error.message}` : String(error);
	return oneLine(text);
}

export function oneLine(text: string, max = 400): string {
	// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
	const flat = text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
	return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

/** Exit code for `table` and other commands run by an operator or cron. */
export function toExitCode(error: unknown): ExitCode {
	if (error instanceof UsageError) return EX.USAGE;
	if (error instanceof DataDirError)
		return error.code === "ENOENT" ? EX.NOINPUT : EX.IOERR;
	if (error instanceof TempFailError) return EX.TEMPFAIL;
	return EX.SOFTWARE;
}

/** Node-style error code of a failed system call, if any. */
export function errnoCode(error: unknown): string | undefined {
	if (typeof error === "object" && error !== null && "code" in error) {
		const code = (error as { code: unknown }).code;
		return typeof code === "string" ? code : undefined;
	}
	return undefined;
}

/** Printable ASCII only, for text that may be forged bytes: Postfix logs it as is. */
export function printable(text: string, max = 100): string {
	return oneLine(text, max).replace(/[^\x20-\x7e]/g, "?");
}
