// Compiles src/cli.ts into one self-contained binary: dist/dmarc-dsn-processor.
// Flags from postfix.md: a binary run by pipe(8) must not read .env or bunfig.toml
// from its working directory.
import { execFileSync, spawnSync } from "node:child_process";

function commit(): string {
	try {
		return execFileSync("git", ["rev-parse", "--short", "HEAD"], {
			encoding: "utf8",
			stdio: ["ignore", "pipe", "ignore"],
		}).trim();
	} catch {
		return "unknown";
	}
}

const outfile = process.argv[2] ?? "dist/dmarc-dsn-processor";
const args = [
	"build",
	"src/cli.ts",
	"--compile",
	"--minify",
	"--bytecode",
	"--no-compile-autoload-dotenv",
	"--no-compile-autoload-bunfig",
	"--define",
	`BUILD_COMMIT=${JSON.stringify(commit())}`,
	"--outfile",
	outfile,
];
const result = spawnSync(process.execPath, args, { stdio: "inherit" });
process.exit(result.status ?? 1);
