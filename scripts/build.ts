// Compiles src/cli.ts into one self-contained binary: dist/dmarc-dsn-processor.
// Flags from postfix.md: a binary run by pipe(8) must not read .env or bunfig.toml
// from its working directory. scripts/release.ts compiles the release binaries with
// compile() below, so every binary is built the same way.
import { execFileSync, spawnSync } from "node:child_process";

/** The short commit that `--version` prints: BUILD_COMMIT in src/version.ts. */
export function buildCommit(): string {
	try {
		return execFileSync("git", ["rev-parse", "--short", "HEAD"], {
			encoding: "utf8",
			stdio: ["ignore", "pipe", "ignore"],
		}).trim();
	} catch {
		return "unknown";
	}
}

export interface CompileOptions {
	outfile: string;
	/** `bun build --target`, e.g. bun-linux-arm64; the host's platform when absent */
	target?: string;
	/** defaults to buildCommit() */
	commit?: string;
}

/** `bun build --compile` arguments for one binary. */
export function compileArgs(options: CompileOptions): string[] {
	return [
		"build",
		"src/cli.ts",
		"--compile",
		...(options.target ? [`--target=${options.target}`] : []),
		"--minify",
		"--bytecode",
		"--no-compile-autoload-dotenv",
		"--no-compile-autoload-bunfig",
		"--define",
		`BUILD_COMMIT=${JSON.stringify(options.commit ?? buildCommit())}`,
		"--outfile",
		options.outfile,
	];
}

/** Runs `bun build --compile` with this process's Bun; returns its exit status. */
export function compile(options: CompileOptions): number {
	const result = spawnSync(process.execPath, compileArgs(options), {
		stdio: "inherit",
	});
	return result.status ?? 1;
}

if (import.meta.main) {
	process.exit(
		compile({ outfile: process.argv[2] ?? "dist/dmarc-dsn-processor" }),
	);
}
