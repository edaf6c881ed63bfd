// Compiles src/cli.ts into one self-contained binary: dist/dmarc-dsn-processor, and writes
// its man page, dist/dmarc-dsn-processor.8, from the binary's help (scripts/release/manpage.ts).
// Flags from postfix.md: a binary run by pipe(8) must not read .env or bunfig.toml
// from its working directory. scripts/release.ts compiles the release binaries with
// compile() below, so every binary is built the same way.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import pkg from "../package.json" with { type: "json" };
import { docBlocks } from "./release/deb.ts";
import { DEB_PATHS } from "./release/lib.ts";
import { type Help, parseHelp, renderManPage } from "./release/manpage.ts";

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

/** dmarc-dsn-processor(8) from the help text of a binary this host runs, and docs/postfix.md. */
export function manPage(binary: string, commit = buildCommit()): string {
	const help = (...args: string[]): Help =>
		parseHelp(
			execFileSync(binary, args, {
				encoding: "utf8",
				env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
			}),
		);
	const main = help("--help");
	const blocks = docBlocks(readFileSync("docs/postfix.md", "utf8"));
	const epoch = Number(process.env.SOURCE_DATE_EPOCH);
	const date = Number.isFinite(epoch) ? new Date(epoch * 1000) : new Date();
	return renderManPage({
		version: pkg.version,
		commit,
		date: date.toISOString().slice(0, 10),
		main,
		commands: main.commands.map((c) => ({
			name: c.name,
			help: help(c.name, "--help"),
		})),
		mainCf: blocks.mainCf,
		masterCf: blocks.masterCf,
		cron: blocks.cronJob,
		dataDir: DEB_PATHS.dataDir,
		updateMap: DEB_PATHS.updateMap,
	});
}

if (import.meta.main) {
	const outfile = process.argv[2] ?? "dist/dmarc-dsn-processor";
	const status = compile({ outfile });
	if (status !== 0) process.exit(status);
	writeFileSync(`${outfile}.8`, manPage(outfile));
	console.log(`  [man] ${outfile}.8`);
}
