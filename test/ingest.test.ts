import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
	BIN,
	listDir,
	readLines,
	run,
	runAsync,
	tempDataDir,
} from "./support/cli.ts";
import { makeDsn, REPORT_SUBJECT } from "./support/dsn.ts";

const bounce = makeDsn({
	recipients: [{ address: "rua@bounce.test" }],
	subject: REPORT_SUBJECT,
});

describe("ingest records failures", () => {
	test("a 550 DSN: exit 0, one summary line, one JSON line with the original's keys", () => {
		const dir = tempDataDir();
		const r = run(["ingest", "6633316A048", "", dir], bounce);
		expect(r.status).toBe(0);
		expect(r.stdout).toBe("recorded example.org: rua@bounce.test (5.1.1)\n");
		const [line, ...rest] = readLines(join(dir, "domains", "example.org"));
		expect(rest).toEqual([]);
		const record = JSON.parse(line ?? "");
		expect(record).toMatchObject({
			report_domain: "example.org",
			action: "failed",
			status: "5.1.1",
			final_rcpt: "rua@bounce.test",
			orig_rcpt: "rua@bounce.test",
			queue_id: "6633316A048",
			reporting_mta: "mail.sender.test",
		});
		expect(record.date).toMatch(/^\d{8}$/);
		expect(record.diag_code).toContain("User unknown");
		expect(new Date(record.time).toISOString()).toBe(record.time);
	});

	test("only failed recipients of a mixed DSN are recorded", () => {
		const dir = tempDataDir();
		const dsn = makeDsn({
			recipients: [
				{ address: "a@bounce.test" },
				{ address: "b@defer.test", action: "delayed", status: "4.2.1" },
				{ address: "c@accept.test", action: "delivered", status: "2.0.0" },
			],
			subject: REPORT_SUBJECT,
		});
		expect(run(["ingest", "Q1", "", dir], dsn).status).toBe(0);
		const addresses = readLines(join(dir, "domains", "example.org")).map(
			(l) => JSON.parse(l).orig_rcpt,
		);
		expect(addresses).toEqual(["a@bounce.test"]);
	});

	test("VERP extension names the recipient; split on the last '='", () => {
		const dir = tempDataDir();
		const dsn = makeDsn({
			recipients: [{ address: "re=port@bounce.test" }],
			subject: REPORT_SUBJECT,
		});
		expect(run(["ingest", "Q2", "Re=Port=Bounce.Test", dir], dsn).stdout).toBe(
			"recorded example.org: re=port@bounce.test (5.1.1)\n",
		);
	});

	test("a failure with no report domain is recorded under the reserved name and says so", () => {
		const dir = tempDataDir();
		const dsn = makeDsn({ recipients: [{ address: "rua@bounce.test" }] });
		const r = run(["ingest", "Q3", "", dir], dsn);
		expect(r.status).toBe(0);
		expect(r.stdout).toBe(
			"recorded without report domain (domains/_unknown): rua@bounce.test (5.1.1)\n",
		);
		expect(listDir(join(dir, "domains"))).toEqual(["_unknown"]);
	});

	test("DATA_DIR from the environment when the argument is absent", () => {
		const dir = tempDataDir();
		expect(run(["ingest", "Q4", ""], bounce, { DATA_DIR: dir }).status).toBe(0);
		expect(listDir(join(dir, "domains"))).toEqual(["example.org"]);
	});

	test("40 concurrent processes appending to one file leave 40 whole lines", async () => {
		const dir = tempDataDir();
		const runs = Array.from({ length: 40 }, (_, i) =>
			runAsync(
				["ingest", `Q${i}`, "", dir],
				makeDsn({
					recipients: [{ address: `rua${i}@bounce.test` }],
					subject: REPORT_SUBJECT,
				}),
			),
		);
		const results = await Promise.all(runs);
		expect(results.map((r) => r.status)).toEqual(Array(40).fill(0));
		const lines = readLines(join(dir, "domains", "example.org"));
		const addresses = lines.map((l) => JSON.parse(l).orig_rcpt).sort();
		expect(addresses).toEqual(
			Array.from({ length: 40 }, (_, i) => `rua${i}@bounce.test`).sort(),
		);
	});
});

describe("ingest ignores what is not a failure", () => {
	test.each([
		["delayed", "4.2.1", "ignored delay-warning"],
		["delivered", "2.0.0", "ignored success-dsn"],
		["relayed", "2.0.0", "ignored success-dsn"],
	])("Action: %s writes nothing", (action, status, summary) => {
		const dir = tempDataDir();
		const dsn = makeDsn({
			recipients: [{ address: "rua@x.test", action, status }],
			subject: REPORT_SUBJECT,
		});
		const r = run(["ingest", "Q5", "", dir], dsn);
		expect(r.status).toBe(0);
		expect(r.stdout.startsWith(summary)).toBe(true);
		expect(listDir(join(dir, "domains"))).toEqual([]);
		expect(listDir(join(dir, "saved"))).toEqual([]);
	});

	test("a VERP delay warning is not a failure", () => {
		const dir = tempDataDir();
		const dsn = makeDsn({
			recipients: [
				{ address: "rua@x.test", action: "delayed", status: "4.2.1" },
			],
		});
		expect(run(["ingest", "Q6", "rua=x.test", dir], dsn).stdout).toStartWith(
			"ignored delay-warning",
		);
		expect(listDir(join(dir, "domains"))).toEqual([]);
	});
});

describe("ingest quarantines what it cannot use", () => {
	test("garbage goes to saved/<queue_id>.<reason>, never overwriting", () => {
		const dir = tempDataDir();
		const first = run(["ingest", "AB12", "", dir], "hello\n\nnot a bounce\n");
		expect(first.status).toBe(0);
		expect(first.stdout).toBe(
			"quarantined no-delivery-report: saved/AB12.no-delivery-report\n",
		);
		run(["ingest", "AB12", "", dir], "second message\n");
		expect(listDir(join(dir, "saved"))).toEqual([
			"AB12.no-delivery-report",
			"AB12.no-delivery-report.1",
		]);
		expect(
			readFileSync(join(dir, "saved", "AB12.no-delivery-report.1"), "utf8"),
		).toBe("second message\n");
	});

	test("a queue id cannot steer the file name out of saved/", () => {
		const dir = tempDataDir();
		const r = run(["ingest", "../../x", "", dir], "junk\n");
		expect(r.status).toBe(0);
		expect(listDir(join(dir, "saved"))).toEqual(["______x.no-delivery-report"]);
	});

	test("a failed recipient that is not a valid mailbox is quarantined, never recorded", () => {
		const dir = tempDataDir();
		const dsn = makeDsn({
			recipients: [{ address: "example.org", original: "*@example.org" }],
			subject: REPORT_SUBJECT,
		});
		const r = run(["ingest", "Q7", "", dir], dsn);
		expect(r.stdout).toStartWith("quarantined invalid-address");
		expect(listDir(join(dir, "domains"))).toEqual([]);
	});

	test("a DSN whose recipients carry no usable Action nor status is quarantined, and its summary stays printable", () => {
		const dir = tempDataDir();
		const dsn = makeDsn({
			recipients: [
				{
					address: "r\u00fc\u0001\u00ff[j",
					action: "\u00e4\u00f6",
					status: "x",
				},
			],
			subject: REPORT_SUBJECT,
		}).replace(/^Diagnostic-Code:.*\n.*\n/m, "");
		const r = run(["ingest", "Q15", "", dir], dsn);
		expect(r.stdout).toBe("quarantined no-action: saved/Q15.no-action\n");
		expect(listDir(join(dir, "domains"))).toEqual([]);
	});

	test("an Action outside RFC 3464's values is read from the status class (Action: failure)", () => {
		const dir = tempDataDir();
		const dsn = makeDsn({
			recipients: [{ address: "rua@example.net", action: "failure" }],
			subject: REPORT_SUBJECT,
		});
		const r = run(["ingest", "Q16", "", dir], dsn);
		expect(r.stdout).toBe("recorded example.org: rua@example.net (5.1.1)\n");
	});

	test("input above 20 MB is saved truncated, not parsed", () => {
		const dir = tempDataDir();
		const big = new Uint8Array(21 * 1024 * 1024).fill(0x61);
		const r = run(["ingest", "BIG1", "", dir], big);
		expect(r.status).toBe(0);
		expect(r.stdout).toStartWith("quarantined too-large");
		// saved/ keeps the first 1 MB under a note of the size (issue 11)
		const note = `X-Dmarc-Dsn-Processor-Saved: first 1048576 of ${big.length} bytes\r\n`;
		expect(readFileSync(join(dir, "saved", "BIG1.too-large")).length).toBe(
			note.length + 1024 * 1024,
		);
	});
});

describe("ingest defers (exit 75, output 4.3.0) on anything transient", () => {
	test("missing data dir", () => {
		const r = run(["ingest", "Q8", "", "/nonexistent/ddp"], bounce);
		expect(r.status).toBe(75);
		expect(r.stdout).toStartWith("4.3.0 ");
	});

	test("data dir is a file", () => {
		const file = join(tempDataDir(), "file");
		writeFileSync(file, "");
		const r = run(["ingest", "Q9", "", file], bounce);
		expect([r.status, r.stdout.slice(0, 6)]).toEqual([75, "4.3.0 "]);
	});

	test("domains/ not writable (for a non-root user) or a file in its place", () => {
		const dir = tempDataDir();
		mkdirSync(join(dir, "domains"));
		chmodSync(join(dir, "domains"), 0o500);
		writeFileSync(join(dir, "saved"), "not a dir");
		const r = run(["ingest", "Q10", "", dir], "junk\n");
		expect([r.status, r.stdout.slice(0, 6)]).toEqual([75, "4.3.0 "]);
	});

	test.each([
		[["ingest"]],
		[["ingest", "Q11"]],
		[["ingest", "Q12", "a=b.test", "c=d.test", "/tmp"]],
	])("wrong argument count %j", (args) => {
		const r = run(args, bounce);
		expect(r.status).toBe(75);
		expect(r.stdout).toStartWith(
			"4.3.0 expected QUEUE_ID EXTENSION [DATA_DIR]",
		);
	});

	test("an extension that looks like an option is still an extension", () => {
		const dir = tempDataDir();
		for (const extension of [
			"--help",
			"-h",
			"--dry-run",
			"--version",
			"--",
			"--sender",
		]) {
			const r = run(["ingest", "Q13", extension, dir], bounce);
			expect([extension, r.status, r.stdout]).toEqual([
				extension,
				0,
				"recorded example.org: rua@bounce.test (5.1.1)\n",
			]);
		}
	});
});

describe("ingest --dry-run", () => {
	test("prints the decision as one JSON object and writes nothing", () => {
		const r = run(["ingest", "--dry-run", "Q14", "rua=bounce.test"], bounce, {
			DATA_DIR: "/nonexistent",
		});
		expect(r.status).toBe(0);
		const decision = JSON.parse(r.stdout);
		expect(decision).toMatchObject({
			outcome: "record",
			reason: "failed",
			report_domain: "example.org",
		});
		expect(decision.recipients).toEqual([
			expect.objectContaining({
				address: "rua@bounce.test",
				action: "failed",
				status: "5.1.1",
				suppress: true,
			}),
		]);
		expect(typeof decision.recipients[0].diagnostic).toBe("string");
	});
});

test("--version names the version and the commit", () => {
	expect(run(["--version"]).stdout).toMatch(/^\d+\.\d+\.\d+ \(commit \S+\)\n$/);
	expect(BIN).toEndWith("dist/dmarc-dsn-processor");
});
