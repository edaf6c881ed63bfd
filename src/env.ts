/** Environment lookups in one place (Deno needs --allow-env for them). */
export function env(name: string): string | undefined {
	const value = process.env[name];
	return value === undefined || value === "" ? undefined : value;
}

/** A yes/no switch such as VERBOSE: only 1, true or yes turn it on (VERBOSE=0 is off). */
export function envFlag(name: string): boolean {
	return /^(1|true|yes)$/i.test(env(name)?.trim() ?? "");
}

/** The original tool's default, relative to the working directory. */
export const DEFAULT_DATA_DIR = "./dmarc_dsn_processor";

export function dataDirFrom(arg: string | undefined): string {
	return (arg === "" ? undefined : arg) ?? env("DATA_DIR") ?? DEFAULT_DATA_DIR;
}
