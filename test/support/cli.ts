import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { removeTemporary, temporaryDir } from "./temporary.ts";

/** The compiled binary: `npm test` builds it first. */
export const BIN = join(
	import.meta.dir,
	"..",
	"..",
	"dist",
	"dmarc-dsn-processor",
);

/** Fails with what to do when the binary was not built (`bun test` alone does not build it). */
export function requireBinary(path: string): void {
	if (!existsSync(path))
		throw new Error(
			`${path} is missing: run 'npm run build' first ('npm test' builds it, 'bun test' does not)`,
		);
}
requireBinary(BIN);

export interface Run {
	readonly status: number | null;
	readonly stdout: string;
	readonly stderr: string;
}

export function run(
	args: readonly string[],
	input: string | Uint8Array = "",
	env: Record<string, string> = {},
): Run {
	const result = spawnSync(BIN, args, {
		input,
		encoding: "utf8",
		env: { PATH: "/usr/bin:/bin", LANG: "C", ...env },
		maxBuffer: 64 * 1024 * 1024,
	});
	return {
		status: result.status,
		stdout: result.stdout,
		stderr: result.stderr,
	};
}

export function runAsync(args: readonly string[], input: string): Promise<Run> {
	return new Promise((resolve, reject) => {
		const child = spawn(BIN, args, {
			env: { PATH: "/usr/bin:/bin", LANG: "C" },
		});
		let stdout = "";
		let stderr = "";
		child.stdout.on("data", (d: Buffer) => {
			stdout += d.toString();
		});
		child.stderr.on("data", (d: Buffer) => {
			stderr += d.toString();
		});
		child.on("error", reject);
		child.on("close", (status) => resolve({ status, stdout, stderr }));
		child.stdin.end(input);
	});
}

// removed after the last test (test/support/preload.ts), or when a process that is not
// bun test ends
process.on("exit", removeTemporary);

export function tempDataDir(): string {
	return temporaryDir("ddp-test-");
}

export function listDir(dir: string): string[] {
	try {
		return readdirSync(dir).sort();
	} catch {
		return [];
	}
}

export function readLines(file: string): string[] {
	return readFileSync(file, "utf8").split("\n").filter(Boolean);
}
