import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, tempDataDir } from "./support/cli.ts";
import { signHeaders, txtRecord } from "./support/dkim-sign.ts";
import { makeDsn, REPORT_SUBJECT } from "./support/dsn.ts";

// src/ uses only node: and web APIs: under Deno it must behave like the binary.
const ROOT = join(import.meta.dir, "..");
const DENO = join(ROOT, "node_modules", ".bin", "deno");

function deno(args: readonly string[], input = "") {
	const result = spawnSync(
		DENO,
		[
			"run",
			"--allow-read",
			"--allow-write",
			"--allow-env",
			"src/cli.ts",
			...args,
		],
		{
			cwd: ROOT,
			input,
			encoding: "utf8",
			env: {
				PATH: process.env.PATH ?? "/usr/bin:/bin",
				NO_COLOR: "1",
				DENO_NO_UPDATE_CHECK: "1",
			},
		},
	);
	return {
		status: result.status,
		stdout: result.stdout,
		stderr: result.stderr,
	};
}

test("deno: ingest and table give the binary's exit codes, output and records", () => {
	const dsn = makeDsn({
		recipients: [
			{ address: "rua@bounce.test" },
			{ address: "x@defer.test", action: "delayed", status: "4.2.1" },
		],
		subject: REPORT_SUBJECT,
	});
	const viaDeno = tempDataDir();
	const viaBin = tempDataDir();
	const a = deno(["ingest", "Q1", "", viaDeno], dsn);
	const b = run(["ingest", "Q1", "", viaBin], dsn);
	expect(a.stderr).toBe("");
	expect([a.status, a.stdout]).toEqual([b.status, b.stdout]);
	expect(a.stdout).toBe("recorded example.org: rua@bounce.test (5.1.1)\n");
	const strip = (file: string) =>
		readFileSync(file, "utf8").replace(/"time":"[^"]*"/, "");
	expect(strip(join(viaDeno, "domains", "example.org"))).toBe(
		strip(join(viaBin, "domains", "example.org")),
	);

	const tableDeno = deno(["table", viaDeno]);
	expect([tableDeno.status, tableDeno.stdout]).toEqual([
		0,
		run(["table", viaBin]).stdout,
	]);
	expect(tableDeno.stdout).toMatch(
		/^rua@bounce\.test discard:report for example\.org bounced \d{8} last time\n$/,
	);
});

test("deno: a missing data dir defers with 75, like the binary", () => {
	const a = deno(["ingest", "Q2", "", "/nonexistent/ddp"], "x");
	expect(a.status).toBe(75);
	expect(a.stdout).toStartWith("4.3.0 ");
});

test("deno: DKIM by mailauth (loaded on demand) verifies like the binary", () => {
	const dir = tempDataDir();
	const keyFile = join(dir, "rsa.txt");
	writeFileSync(keyFile, txtRecord());
	const fields = [
		"From: DMARC Reports <dmarc-reports@sender.test>",
		"To: rua@bounce.test",
		`Subject: ${REPORT_SUBJECT}`,
	];
	const signed = [signHeaders(fields, "sender.test", "rsa"), ...fields];
	const options = [
		"--sender",
		"dmarc-reports@sender.test",
		"--dkim-key",
		`rsa._domainkey.sender.test=${keyFile}`,
		"--require-dkim",
	];
	for (const [returned, want] of [
		[signed, "recorded example.org: rua@bounce.test (5.1.1)\n"],
		[
			[...signed.slice(0, 2), "Cc: victim@victim.test", ...signed.slice(2)],
			"quarantined untrusted-dkim-unsigned-recipient: saved/Q3.untrusted-dkim-unsigned-recipient\n",
		],
	] as const) {
		const recipients = returned.some((f) => f.startsWith("Cc:"))
			? [{ address: "victim@victim.test" }]
			: [{ address: "rua@bounce.test" }];
		const dsn = makeDsn({
			recipients,
			returnedHeaders: `${returned.join("\n")}\n`,
		});
		const a = deno(["ingest", ...options, "Q3", "", tempDataDir()], dsn);
		const b = run(["ingest", ...options, "Q3", "", tempDataDir()], dsn);
		expect(a.stderr).toBe("");
		expect([a.status, a.stdout]).toEqual([b.status, b.stdout]);
		expect(a.stdout).toBe(want);
	}
});
