// The pure parts of the release (scripts/release.ts): names, Debian fields, the blocks of
// docs/postfix.md the .deb ships, and the man page generated from citty's help text.
// The release itself (binaries, smoke tests, .deb, lintian) runs in scripts/release/ci.sh.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildConfig, compileArgs } from "../scripts/build.ts";
import { docBlocks } from "../scripts/release/deb.ts";
import {
	binaryName,
	changelogFile,
	cronFile,
	cronJob,
	DEB_PATHS,
	debName,
	debVersion,
	fillTemplate,
	glibcRequirement,
	rfc5322Date,
	selectTargets,
	sha256sums,
	snippet,
	TARGETS,
	toDebPaths,
} from "../scripts/release/lib.ts";
import {
	parseHelp,
	renderManPage,
	roffEscape,
	stripAnsi,
} from "../scripts/release/manpage.ts";

const ROOT = join(import.meta.dir, "..");
const DOC = readFileSync(join(ROOT, "docs/postfix.md"), "utf8");
const DEBIAN = join(ROOT, "scripts/release/debian");

describe("names", () => {
	test("artifacts", () => {
		expect(TARGETS.map((t) => binaryName("0.1.0", t))).toEqual([
			"dmarc-dsn-processor-0.1.0-linux-x64",
			"dmarc-dsn-processor-0.1.0-linux-x64-musl",
			"dmarc-dsn-processor-0.1.0-linux-arm64",
		]);
		expect(debName("0.1.0", "amd64")).toBe(
			"dmarc-dsn-processor_0.1.0_amd64.deb",
		);
	});

	test("targets by name, with or without linux-", () => {
		expect(selectTargets([]).length).toBe(3);
		expect(
			selectTargets(["arm64", "linux-x64-musl"]).map((t) => t.name),
		).toEqual(["linux-arm64", "linux-x64-musl"]);
		expect(() => selectTargets(["riscv64"])).toThrow(/unknown target/);
	});

	test("release builds use build.ts' settings plus the target", () => {
		const args = compileArgs({
			outfile: "dist/x",
			target: "bun-linux-arm64",
			commit: "abc1234",
		});
		expect(args).toContain("--target=bun-linux-arm64");
		expect(args).toContain("--commit=abc1234");
		const config = buildConfig({
			outfile: "dist/x",
			target: "bun-linux-arm64",
			commit: "abc1234",
		});
		expect(config.compile.target).toBe("bun-linux-arm64");
		expect(config.compile.autoloadDotenv).toBe(false);
		expect(config.compile.autoloadBunfig).toBe(false);
		expect(config.define.BUILD_COMMIT).toBe('"abc1234"');
		expect(
			compileArgs({ outfile: "x", commit: "c" }).some((a) =>
				a.startsWith("--target"),
			),
		).toBe(false);
	});
});

describe("Debian fields", () => {
	test("versions: a pre-release sorts before its release", () => {
		expect(debVersion("0.1.0")).toBe("0.1.0");
		expect(debVersion("1.2.0-rc.1")).toBe("1.2.0~rc.1");
		expect(debVersion("1.2.0+build.5")).toBe("1.2.0");
		expect(() => debVersion("1.2")).toThrow();
	});

	test("libc6 version from readelf --version-info", () => {
		const readelf = [
			"Version needs section '.gnu.version_r' contains 3 entries:",
			"  000000: Version: 1  File: libc.so.6  Cnt: 9",
			"  0x0010:   Name: GLIBC_2.2.5  Flags: none  Version: 12",
			"  0x0020:   Name: GLIBC_2.17  Flags: none  Version: 9",
			"  0x0030:   Name: GLIBC_2.9  Flags: none  Version: 8",
			"  0x0040:   Name: GLIBC_PRIVATE  Flags: none  Version: 2",
		].join("\n");
		expect(glibcRequirement(readelf)).toBe("2.17");
		expect(glibcRequirement("no versions")).toBeUndefined();
	});

	test("SHA256SUMS reads like sha256sum's output", () => {
		expect(
			sha256sums([
				{ name: "b.deb", sha256: "22" },
				{ name: "a", sha256: "11" },
			]),
		).toBe("11  a\n22  b.deb\n");
	});

	test("changelog entry", () => {
		const date = new Date(Date.UTC(2026, 10, 28, 7, 49, 9));
		expect(rfc5322Date(date)).toBe("Sat, 28 Nov 2026 07:49:09 +0000");
		const entry = changelogFile("0.1.0", "abc1234", "A <a@example.org>", date);
		expect(entry).toStartWith(
			"dmarc-dsn-processor (0.1.0) unstable; urgency=medium\n",
		);
		expect(entry).toEndWith(
			" -- A <a@example.org>  Sat, 28 Nov 2026 07:49:09 +0000\n",
		);
	});

	test("templates are filled completely", () => {
		expect(fillTemplate("a @X@ b", { X: "1" })).toBe("a 1 b");
		expect(() => fillTemplate("@X@ @Y@", { X: "1" })).toThrow(/@Y@/);
		const control = readFileSync(join(DEBIAN, "control.in"), "utf8");
		expect(() =>
			fillTemplate(control, {
				VERSION: "0.1.0",
				ARCH: "amd64",
				MAINTAINER: "m",
				INSTALLED_SIZE: "1",
				DEPENDS: "libc6",
			}),
		).not.toThrow();
	});
});

describe("docs/postfix.md blocks in the .deb", () => {
	test("snippet() follows scripts/e2e/lib.sh: exactly one block per name", () => {
		const md =
			"x\n```sh e2e=a\none\ntwo\n```\n```sh e2e=b\n```\n```sh e2e=b\n```\n";
		expect(snippet(md, "a")).toBe("one\ntwo\n");
		expect(() => snippet(md, "b")).toThrow(/2 blocks/);
		expect(() => snippet(md, "c")).toThrow(/0 blocks/);
	});

	test("the update script ships unchanged; master.cf points at /usr/bin", () => {
		const blocks = docBlocks(DOC);
		expect(blocks.updateMap).toStartWith("#!/bin/sh\n");
		expect(blocks.updateMap).toContain("dmarc-dsn-processor table");
		expect(blocks.masterCf).toContain(`argv=${DEB_PATHS.binary} ingest `);
		expect(blocks.masterCf).not.toContain("/usr/local/");
		expect(toDebPaths("/usr/local/sbin/dmarc-dsn-processor-update-map")).toBe(
			DEB_PATHS.updateMap,
		);
	});

	test("cron.d: the doc's schedule and user, commented out", () => {
		const doc = snippet(DOC, "cron");
		const [schedule] = doc
			.split("\n")
			.filter((l) => l && !l.startsWith("#"))
			.map((l) => l.split(/\s+/).slice(0, 6).join(" "));
		const job = cronJob(doc);
		expect(job).toBe(
			`${schedule} test -x ${DEB_PATHS.updateMap} && ${DEB_PATHS.updateMap}`,
		);
		const file = cronFile(doc);
		const active = file
			.split("\n")
			.filter((l) => l.trim() && !l.startsWith("#"));
		expect(active).toEqual([]);
		expect(file).toContain(`\n#${job}\n`);
		expect(() => cronJob("# nothing\n")).toThrow(/0 jobs/);
	});

	test("the systemd units match the doc's timer and run the package's script", () => {
		const ini = DOC.slice(DOC.indexOf("```ini"));
		const onCalendar = /^OnCalendar=(.*)$/m.exec(ini)?.[1];
		const execStart = /^ExecStart=(.*)$/m.exec(ini)?.[1];
		const timer = readFileSync(
			join(DEBIAN, "dmarc-dsn-processor-update-map.timer"),
			"utf8",
		);
		const service = readFileSync(
			join(DEBIAN, "dmarc-dsn-processor-update-map.service"),
			"utf8",
		);
		expect(onCalendar).toBeDefined();
		expect(timer).toContain(`\nOnCalendar=${onCalendar}\n`);
		expect(timer).toContain("\nWantedBy=timers.target\n");
		expect(service).toContain(`\nExecStart=${toDebPaths(execStart ?? "")}\n`);
		expect(service).toContain(`\nExecStart=${DEB_PATHS.updateMap}\n`);
	});
});

describe("man page from citty's help text", () => {
	const esc = "\u001b";
	const tableHelp = [
		`${esc}[90mPrint the map (dmarc-dsn-processor table v0.1.0 (commit 164fa67))${esc}[39m`,
		"",
		`${esc}[4m${esc}[1mUSAGE${esc}[22m${esc}[24m ${esc}[36mdmarc-dsn-processor table [OPTIONS] [DATADIR]${esc}[39m`,
		"",
		"ARGUMENTS",
		"",
		"  DATADIR    data dir (default: $DATA_DIR, else ./dmarc_dsn_processor)",
		"",
		"OPTIONS",
		"",
		"      --days=<days>    days an address stays on the map, 0-90",
		"  --output=<output>    write the map to this file atomically instead of stdout   ",
		"",
	].join("\n");
	const mainHelp = [
		"Turn bounces into a map (dmarc-dsn-processor v0.1.0 (commit 164fa67))",
		"",
		"USAGE dmarc-dsn-processor ingest|table",
		"",
		"COMMANDS",
		"",
		"  ingest    Read one DSN on stdin",
		"   table    Print the map",
		"",
		"Use dmarc-dsn-processor <command> --help for more information about a command.",
	].join("\n");

	test("parses citty's usage output, colours or not", () => {
		expect(stripAnsi(`${esc}[36mx${esc}[39m`)).toBe("x");
		const table = parseHelp(tableHelp);
		expect(table.description).toBe("Print the map");
		expect(table.usage).toBe("dmarc-dsn-processor table [OPTIONS] [DATADIR]");
		expect(table.arguments).toEqual([
			{
				name: "DATADIR",
				description:
					"data dir (default: $DATA_DIR, else ./dmarc_dsn_processor)",
			},
		]);
		expect(table.options.map((o) => o.name)).toEqual([
			"--days=<days>",
			"--output=<output>",
		]);
		const main = parseHelp(mainHelp);
		expect(main.description).toBe("Turn bounces into a map");
		expect(main.commands.map((c) => c.name)).toEqual(["ingest", "table"]);
		expect(() => parseHelp("no usage here")).toThrow(/USAGE/);
	});

	test("renders roff with every option of the help text", () => {
		const page = renderManPage({
			version: "0.1.0",
			commit: "164fa67",
			date: "2026-11-28",
			main: parseHelp(mainHelp),
			commands: [{ name: "table", help: parseHelp(tableHelp) }],
			mainCf: "transport_maps =\n    inline:{a=b}\n",
			masterCf: ".starts with a dot\n",
			cron: "*/10 * * * * root x",
			dataDir: "/var/lib/dmarc-dsn-processor",
			updateMap: "/usr/sbin/dmarc-dsn-processor-update-map",
		});
		expect(page).toContain(
			'\n.TH DMARC\\-DSN\\-PROCESSOR 8 2026-11-28 "dmarc\\-dsn\\-processor 0.1.0"',
		);
		expect(page).toContain(
			"\n.SH NAME\ndmarc\\-dsn\\-processor, dmarc\\-dsn\\-processor\\-update\\-map \\- ",
		);
		expect(page).toContain("\n.TP\n\\fB\\-\\-days\\fR=\\fIdays\\fR\n");
		expect(page).toContain("\n.TP\n\\fB\\-\\-output\\fR=\\fIoutput\\fR\n");
		expect(page).toContain(
			"\\fBdmarc\\-dsn\\-processor\\fR \\fBtable\\fR [\\fIOPTIONS\\fR] [\\fIDATADIR\\fR]",
		);
		// a line of an example that starts with a dot is text, not a request
		expect(page).toContain("\n\\&.starts with a dot\n");
		expect(page).not.toContain("\u001b");
	});

	test("roff escapes", () => {
		expect(roffEscape("a-b\\c")).toBe("a\\-b\\ec");
		expect(roffEscape("'quoted\n.dot")).toBe("\\&'quoted\n\\&.dot");
	});
});
