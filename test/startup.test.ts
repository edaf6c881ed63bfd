// Issue 15 item 3: what a typical ingest does not load. Every DSN is a new process, so a
// module that loads without being used costs every run (BENCHMARKS.md, ingest section).
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");

/**
 * The project modules a fresh process has loaded after loading the command line's
 * modules and deciding on `fixture`.
 */
function loadedAfterDecide(fixture: string): string[] {
	const script = `
const { readFileSync } = await import("node:fs");
await import(${JSON.stringify(join(ROOT, "src", "commands", "ingest.ts"))});
const { decide } = await import(${JSON.stringify(join(ROOT, "src", "decide.ts"))});
const raw = readFileSync(${JSON.stringify(join(ROOT, "test", "fixtures", fixture))});
const decision = await decide(new Uint8Array(raw), "");
console.log(JSON.stringify({ outcome: decision.outcome, loaded: Object.keys(require.cache) }));
`;
	const run = spawnSync(process.execPath, ["-e", script], {
		cwd: ROOT,
		encoding: "utf8",
	});
	const result = JSON.parse(run.stdout);
	expect(result.outcome).toBe("record");
	return (result.loaded as string[]).map((path) =>
		path.startsWith(ROOT) ? path.slice(ROOT.length + 1) : path,
	);
}

test("the typical DSN loads neither DKIM nor the report XML readers", () => {
	const loaded = loadedAfterDecide("postfix-01.eml");
	// the check itself: the decision's modules are listed
	expect(loaded).toContain("src/decide.ts");
	expect(loaded).toContain("src/mail/message.ts");
	expect(loaded).toContain("src/commands/ingest.ts");
	// DKIM (node:crypto, node:dns) and zlib/fflate load only when used
	expect(loaded).not.toContain("src/trust/dkim.ts");
	expect(loaded).not.toContain("src/report/xml.ts");
	expect(loaded.filter((p) => p.includes("fflate"))).toEqual([]);
});

/** The modules (project and node_modules) that `src/cli.ts ARGS...` loaded by its exit. */
function loadedByCli(args: string[], stdin: string): string[] {
	const preload = join(ROOT, "test", "support", "loaded-at-exit.ts");
	const run = spawnSync(
		process.execPath,
		["--preload", preload, join(ROOT, "src", "cli.ts"), ...args],
		{ cwd: ROOT, encoding: "utf8", input: stdin },
	);
	const line = run.stderr
		.split("\n")
		.find((l) => l.startsWith("loaded-at-exit "));
	expect(line).toBeDefined();
	return (
		JSON.parse(line?.slice("loaded-at-exit ".length) ?? "[]") as string[]
	).map((path) => (path.startsWith(ROOT) ? path.slice(ROOT.length + 1) : path));
}

test("ingest loads neither citty (node:util) nor the table command", () => {
	const dsn = readFileSync(
		join(ROOT, "test", "fixtures", "postfix-01.eml"),
		"utf8",
	);
	const ingest = loadedByCli(["ingest", "--dry-run"], dsn);
	expect(ingest).toContain("src/commands/ingest.ts");
	expect(ingest).toContain("src/decide.ts");
	expect(ingest.filter((p) => p.includes("citty"))).toEqual([]);
	expect(ingest).not.toContain("src/commands/table.ts");
	// the check itself: help for table loads both
	const help = loadedByCli(["table", "--help"], "");
	expect(help).toContain("src/commands/table.ts");
	expect(help.filter((p) => p.includes("citty")).length).toBeGreaterThan(0);
});
