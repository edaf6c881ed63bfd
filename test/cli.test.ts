// The command line as an admin meets it (issue 13): the original tool's argv without a
// command, strict options that name the closest valid one, help and version at every level,
// no ANSI escapes unless asked for, and a terminal on stdin.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseHelp } from "../scripts/release/manpage.ts";
import { argsOf, closest, parseCommandLine } from "../src/cli/strict.ts";
import { renderUsage, wantsColor } from "../src/cli/usage.ts";
import ingest from "../src/commands/ingest.ts";
import table from "../src/commands/table.ts";
import { envFlag } from "../src/env.ts";
import { UsageError } from "../src/errors.ts";
import {
	BIN,
	listDir,
	readLines,
	requireBinary,
	run,
	tempDataDir,
} from "./support/cli.ts";
import { makeDsn, REPORT_SUBJECT } from "./support/dsn.ts";

const bounce = makeDsn({
	recipients: [{ address: "rua@bounce.test" }],
	subject: REPORT_SUBJECT,
});
const ESC = "\u001b";
const INGEST_ARGS = argsOf(ingest);
const TABLE_ARGS = argsOf(table);

/** Nothing written into the data dir: no records, no quarantine. */
function untouched(dir: string): boolean {
	return (
		listDir(join(dir, "domains")).length === 0 &&
		listDir(join(dir, "saved")).length === 0
	);
}

describe("the original tool's argv, without a command, is ingest", () => {
	test("QUEUE_ID EXTENSION DATA_DIR records, the extension empty or VERP", () => {
		const dir = tempDataDir();
		let r = run(["6633316A048", "", dir], bounce);
		expect([r.status, r.stdout]).toEqual([
			0,
			"recorded example.org: rua@bounce.test (5.1.1)\n",
		]);
		r = run(["6633316A049", "rua=bounce.test", dir], bounce);
		expect(r.status).toBe(0);
		const records = readLines(join(dir, "domains", "example.org"));
		expect(records.map((l) => JSON.parse(l).queue_id)).toEqual([
			"6633316A048",
			"6633316A049",
		]);
	});

	test("QUEUE_ID EXTENSION with DATA_DIR from the environment", () => {
		const dir = tempDataDir();
		const r = run(["4BC1D2E3F", ""], bounce, { DATA_DIR: dir });
		expect(r.status).toBe(0);
		expect(readLines(join(dir, "domains", "example.org"))).toHaveLength(1);
	});

	test.each([
		[["4BC1D2E3F"], "the extension is missing"],
		[["4BC1D2E3F", "a=b.test", "c=d.test", "/tmp"], "too many"],
		[
			["4BC1D2E3F", "", "DIR", "--verbose"],
			"option --verbose in the wrong place",
		],
		[["4BC1D2E3F", "", "/nonexistent/ddp"], "ENOENT"],
	])("never an exit status other than 0 or 75: %j", (args, why) => {
		const dir = tempDataDir();
		const r = run(
			args.map((a) => (a === "DIR" ? dir : a)),
			bounce,
		);
		expect(r.status).toBe(75);
		expect(r.stdout).toStartWith("4.3.0 ");
		expect(r.stdout).toContain(why);
		expect(r.stdout + r.stderr).not.toContain(ESC);
		expect(untouched(dir)).toBe(true);
	});

	test("a word one or two edits from a command is a usage error, not a queue id", () => {
		for (const word of ["tabel", "ingst", "hepl"]) {
			const r = run([word, "x"]);
			expect(r.status).toBe(64);
			expect(r.stderr).toContain(`unknown command ${word} (did you mean `);
		}
	});
});

describe("strict options", () => {
	test("table: an unknown or misspelt option exits 64 and names the closest", () => {
		const dir = tempDataDir();
		for (const [args, message] of [
			[["--bogus", dir], "unknown option --bogus"],
			[
				["--fromat", "json", dir],
				"unknown option --fromat (did you mean --format?)",
			],
			[["--day", "3", dir], "unknown option --day (did you mean --days?)"],
			[
				["--confirm_surge", dir],
				"unknown option --confirm_surge (did you mean --confirm-surge?)",
			],
			[["-x", dir], "unknown option -x"],
			[["--prune=yes", dir], "option --prune takes no value"],
			[["--days"], "option --days needs a value"],
			[
				["--output", "--prune", dir],
				"option --output needs a value, not the option --prune",
			],
		] as const) {
			const r = run(["table", ...args]);
			expect([args, r.status, r.stdout]).toEqual([args, 64, ""]);
			expect(r.stderr).toStartWith(`dmarc-dsn-processor table: ${message}`);
			expect(r.stderr).not.toContain(ESC);
		}
	});

	test("table: an option after a data dir is in the wrong place, not a data dir", () => {
		const dir = tempDataDir();
		const r = run(["table", dir, "--days", "3"]);
		expect(r.status).toBe(64);
		expect(r.stderr).toStartWith(
			"dmarc-dsn-processor table: option --days in the wrong place: options go before DATA_DIR",
		);
		// after --, anything is a data dir
		expect(run(["table", "--", dir]).status).toBe(0);
	});

	test("table: a value that looks like a positional is still the value", () => {
		const dir = tempDataDir();
		const r = run(["table", "--format", "list", "--days=5", dir]);
		expect([r.status, r.stderr]).toEqual([0, ""]);
	});

	test("ingest: an unknown option defers (75) with 4.3.0 and writes nothing", () => {
		const dir = tempDataDir();
		const r = run(["ingest", "--dryrun", "Q1", "", dir], bounce);
		expect([r.status, r.stdout]).toEqual([
			75,
			"4.3.0 unknown option --dryrun (did you mean --dry-run?)\n",
		]);
		expect(untouched(dir)).toBe(true);
	});

	test.each([
		"--require_dkim",
		"--requiredkim",
		"--reqiure-dkim",
		"--require-dkim=yes",
		"--sender_",
	])("a misspelt trust option fails closed: %s", (option) => {
		const dir = tempDataDir();
		const r = run(["ingest", option, "Q2", "", dir], bounce);
		expect(r.status).toBe(75);
		expect(r.stdout).toStartWith("4.3.0 ");
		expect(r.stdout).toMatch(/unknown option|takes no value/);
		expect(untouched(dir)).toBe(true);
	});

	test("ingest: a value option's value may look like a positional", () => {
		const dir = tempDataDir();
		const r = run(
			["ingest", "--sender", "dmarc@sender.test", "Q3", "", dir],
			bounce,
		);
		expect(r.status).toBe(0);
		expect(r.stdout).not.toStartWith("4.3.0");
	});

	test("ingest: an option after the positionals is in the wrong place", () => {
		const dir = tempDataDir();
		const r = run(["ingest", "Q4", "", dir, "--require-dkim"], bounce);
		expect([r.status, r.stdout]).toEqual([
			75,
			"4.3.0 option --require-dkim in the wrong place: options go before QUEUE_ID\n",
		]);
		expect(untouched(dir)).toBe(true);
	});

	test("ingest: argument counts say what is wrong", () => {
		const none = run(["ingest"], bounce);
		expect(none.stdout).toContain("got none");
		expect(none.stdout).not.toContain("recipient_limit");
		const one = run(["ingest", "Q5"], bounce);
		expect(one.stdout).toContain("the extension is missing");
		expect(one.stdout).not.toContain("recipient_limit");
		const many = run(["ingest", "Q6", "a=b.test", "c=d.test", "/tmp"], bounce);
		expect(many.stdout).toContain("too many");
		expect(many.stdout).toContain("_destination_recipient_limit = 1");
		for (const r of [none, one, many]) expect(r.status).toBe(75);
	});
});

describe("help and version at every level", () => {
	const version = /^\d+\.\d+\.\d+ \(commit \S+\)\n$/;
	test.each([
		[["--version"]],
		[["-V"]],
		[["ingest", "--version"]],
		[["ingest", "-V"]],
		[["table", "--version"]],
		[["table", "-V"]],
	])("%j prints the version", (args) => {
		const r = run(args);
		expect([r.status, r.stderr]).toEqual([0, ""]);
		expect(r.stdout).toMatch(version);
	});

	test.each([
		[["--help"], "USAGE dmarc-dsn-processor "],
		[["-h"], "USAGE dmarc-dsn-processor "],
		[["help"], "USAGE dmarc-dsn-processor "],
		[["help", "table"], "USAGE dmarc-dsn-processor table "],
		[["table", "--help"], "USAGE dmarc-dsn-processor table "],
		[["table", "help"], "USAGE dmarc-dsn-processor table "],
		[["ingest", "--help"], "USAGE dmarc-dsn-processor ingest "],
		[["ingest", "-h"], "USAGE dmarc-dsn-processor ingest "],
		[["ingest", "help"], "USAGE dmarc-dsn-processor ingest "],
		[["help", "ingest"], "USAGE dmarc-dsn-processor ingest "],
	])("%j prints the help, plain, exit 0", (args, usage) => {
		const r = run(args);
		expect(r.status).toBe(0);
		expect(r.stdout).toContain(usage);
		expect(r.stdout).not.toContain(ESC);
	});

	test("placeholders read as values", () => {
		const r = run(["table", "--help"]);
		expect(r.stdout).toContain("  --days N ");
		expect(r.stdout).toContain("  --release ADDRESS ");
		expect(r.stdout).not.toMatch(/--\w[\w-]*=</);
		expect(run(["ingest", "--help"]).stdout).toContain("  --sender ADDRESS ");
	});

	test("no command at all: the help on stderr, exit 64", () => {
		const r = run([]);
		expect(r.status).toBe(64);
		expect(r.stderr).toContain("USAGE dmarc-dsn-processor ");
	});
});

describe("colour only on a terminal or when forced", () => {
	test("FORCE_COLOR turns it on, NO_COLOR alone off", () => {
		expect(run(["--help"], "", { FORCE_COLOR: "1" }).stdout).toContain(ESC);
		expect(run(["--help"], "", { NO_COLOR: "1" }).stdout).not.toContain(ESC);
		expect(run(["--help"], "", { FORCE_COLOR: "0" }).stdout).not.toContain(ESC);
	});

	test("wantsColor", () => {
		const saved = { ...process.env };
		try {
			delete process.env.FORCE_COLOR;
			delete process.env.NO_COLOR;
			delete process.env.TERM;
			expect(wantsColor({ isTTY: true })).toBe(true);
			expect(wantsColor({ isTTY: false })).toBe(false);
			process.env.NO_COLOR = "1";
			expect(wantsColor({ isTTY: true })).toBe(false);
			process.env.FORCE_COLOR = "1";
			expect(wantsColor({ isTTY: false })).toBe(true);
		} finally {
			process.env = saved;
		}
	});

	test("renderUsage paints only when asked", () => {
		const spec = {
			name: "x table",
			description: "d",
			version: "1",
			synopsis: "[OPTIONS]",
			args: TABLE_ARGS,
		};
		expect(renderUsage(spec, false)).not.toContain(ESC);
		expect(renderUsage(spec, true)).toContain(`${ESC}[1mUSAGE`);
	});
});

describe("VERBOSE", () => {
	test("only 1, true or yes turn it on", () => {
		const dir = tempDataDir();
		for (const [value, on] of [
			["0", false],
			["no", false],
			["false", false],
			["1", true],
			["yes", true],
			["TRUE", true],
		] as const) {
			const r = run(["ingest", "Q7", "", dir], bounce, { VERBOSE: value });
			expect([value, r.status, r.stderr.includes("decision:")]).toEqual([
				value,
				0,
				on,
			]);
		}
	});

	test("envFlag", () => {
		process.env.DDP_TEST_FLAG = "0";
		expect(envFlag("DDP_TEST_FLAG")).toBe(false);
		process.env.DDP_TEST_FLAG = "Yes";
		expect(envFlag("DDP_TEST_FLAG")).toBe(true);
		delete process.env.DDP_TEST_FLAG;
		expect(envFlag("DDP_TEST_FLAG")).toBe(false);
	});
});

describe("ingest with a terminal on stdin", () => {
	test("says it expects a message on stdin and exits 64 instead of waiting", () => {
		// script(1) gives the command a pseudo-terminal as stdin
		expect(existsSync("/usr/bin/script")).toBe(true);
		const dir = tempDataDir();
		const r = spawnSync(
			"/usr/bin/script",
			["-qec", `${BIN} ingest Q8 '' ${dir}`, "/dev/null"],
			{
				encoding: "utf8",
				timeout: 20_000,
				env: { PATH: "/usr/bin:/bin", NO_COLOR: "1" },
			},
		);
		expect(r.status).toBe(64);
		expect(r.stdout).toContain("expects one message on stdin");
		expect(untouched(dir)).toBe(true);
	});
});

describe("the parser", () => {
	test("closest option: typos within two edits, nothing for strangers", () => {
		const flags = ["--require-dkim", "--dry-run", "--sender"];
		expect(closest("--require_dkim", flags)).toBe("--require-dkim");
		expect(closest("--requiredkim", flags)).toBe("--require-dkim");
		expect(closest("--reqiure-dkim", flags)).toBe("--require-dkim");
		expect(closest("--banana", flags)).toBeUndefined();
	});

	test("ingest: positionals are verbatim after the first one", () => {
		const line = parseCommandLine(
			["--sender", "a@b.test", "--sender=c@d.test", "Q", "--help", "/d"],
			INGEST_ARGS,
			"verbatim",
		);
		expect(line.help).toBe(false);
		expect(line.positionals).toEqual(["Q", "--help", "/d"]);
		expect(line.rawArgs).toEqual([
			"--sender",
			"a@b.test",
			"--sender=c@d.test",
			"--",
			"Q",
			"--help",
			"/d",
		]);
	});

	test("table: unknown options throw UsageError", () => {
		expect(() =>
			parseCommandLine(["--bogus"], TABLE_ARGS, "no-options"),
		).toThrow(UsageError);
	});
});

describe("test support", () => {
	test("a missing binary says to run npm run build", () => {
		expect(() => requireBinary("/nonexistent/dmarc-dsn-processor")).toThrow(
			"run 'npm run build' first",
		);
	});

	test("bun test removes the temporary data dirs after the last test (bunfig.toml preload)", () => {
		const root = join(import.meta.dir, "..");
		const file = join(tempDataDir(), "probe.test.ts");
		const support = join(import.meta.dir, "support", "cli.ts");
		writeFileSync(
			file,
			`import { test } from "bun:test";\nimport { tempDataDir } from ${JSON.stringify(support)};\n` +
				`test("probe", () => { console.log("DIR=" + tempDataDir()); });\n`,
		);
		const child = spawnSync(process.execPath, ["test", file], {
			cwd: root,
			encoding: "utf8",
		});
		const dir = /DIR=(\S+)/.exec(child.stdout + child.stderr)?.[1] ?? "";
		expect([child.status, dir]).toEqual([
			0,
			expect.stringContaining("ddp-test-"),
		]);
		expect(existsSync(dir)).toBe(false);
	});

	test("temporary data dirs are removed when the process ends", () => {
		const support = join(import.meta.dir, "support", "cli.ts");
		const child = spawnSync(
			process.execPath,
			[
				"-e",
				`import { tempDataDir } from ${JSON.stringify(support)}; console.log(tempDataDir());`,
			],
			{ encoding: "utf8" },
		);
		const dir = child.stdout.trim();
		expect([child.status, dir]).toEqual([
			0,
			expect.stringContaining("ddp-test-"),
		]);
		expect(existsSync(dir)).toBe(false);
	});
});

describe("the man page", () => {
	test("npm run build writes it into dist/, options with value placeholders", () => {
		const page = readFileSync(`${BIN}.8`, "utf8");
		expect(page).toContain(".TH DMARC\\-DSN\\-PROCESSOR 8 ");
		expect(page).toContain("\n.TP\n\\fB\\-\\-days\\fR \\fIN\\fR\n");
		expect(page).toContain("\n.TP\n\\fB\\-\\-sender\\fR \\fIADDRESS\\fR\n");
		expect(page).toContain(
			"\\fBdmarc\\-dsn\\-processor\\fR \\fIQUEUE_ID\\fR \\fIEXTENSION\\fR \\fIDATA_DIR\\fR",
		);
		expect(page).not.toContain("\u001b");
	});

	test("renders our own help text", () => {
		const help = parseHelp(
			renderUsage(
				{
					name: "dmarc-dsn-processor table",
					description: "Print the map",
					version: "0.1.0 (commit abc)",
					synopsis: "[OPTIONS] [DATA_DIR...]",
					args: TABLE_ARGS,
				},
				true,
			),
		);
		expect(help.description).toBe("Print the map");
		expect(help.options.map((o) => o.name)).toContain("--release ADDRESS");
		expect(help.arguments.map((o) => o.name)).toEqual(["DATA_DIR"]);
	});
});

describe("the demo", () => {
	test("keeps its data dir and says where, counts what happened, points to docs/postfix.md", () => {
		const r = spawnSync(process.execPath, ["scripts/demo.ts"], {
			cwd: join(import.meta.dir, ".."),
			encoding: "utf8",
			timeout: 120_000,
		});
		expect(r.status).toBe(0);
		const dir = /The data dir stays in (\S+) /.exec(r.stdout)?.[1] ?? "";
		try {
			expect(listDir(join(dir, "domains")).length).toBeGreaterThan(0);
			expect(r.stdout).toMatch(
				/\n\d+ messages: [1-9]\d* recorded, [1-9]\d* ignored, [1-9]\d* quarantined\.\n/,
			);
			expect(r.stdout).toContain("--surge-min 0");
			expect(r.stdout).toContain(
				"so the demo turns it off.\n$ dmarc-dsn-processor table --surge-min 0 ",
			);
			expect(r.stdout).toContain("docs/postfix.md");
		} finally {
			if (dir.includes("dmarc-dsn-demo-"))
				rmSync(dir, { recursive: true, force: true });
		}
	}, 120_000);
});
