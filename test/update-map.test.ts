// The map update script of docs/postfix.md (shipped by the .deb as
// /usr/sbin/dmarc-dsn-processor-update-map), run as written with real postconf/postmap: only
// its PATH, data dir and map path point into a temporary directory, and `postfix` is a stub
// that logs its calls (a real one may belong to a running e2e test).
import {
	beforeEach,
	describe,
	expect,
	setDefaultTimeout,
	test,
} from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import {
	chmodSync,
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	rmSync,
	utimesSync,
	writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { snippet } from "../scripts/release/lib.ts";
import { BIN, run, tempDataDir } from "./support/cli.ts";
import { makeDsn, REPORT_SUBJECT } from "./support/dsn.ts";

const DOC = join(import.meta.dir, "..", "docs", "postfix.md");
const SCRIPT = snippet(readFileSync(DOC, "utf8"), "update-map");
const POSTMAP = "/usr/sbin/postmap";

interface Setup {
	readonly root: string;
	readonly data: string;
	readonly map: string;
	readonly script: string;
	readonly env: Record<string, string>;
}

let s: Setup;
// each run of the script is a few processes; Postfix's tools sleep a second after a fatal error
setDefaultTimeout(60_000);

function setup(): Setup {
	const root = tempDataDir();
	const etc = join(root, "etc");
	const bin = join(root, "bin");
	const data = join(root, "data");
	for (const dir of [etc, bin, data]) mkdirSync(dir);
	writeFileSync(join(etc, "main.cf"), "");
	writeFileSync(join(etc, "master.cf"), "");
	// the real binary, with its runs logged (and widened) to show whether two ever overlap
	writeFileSync(
		join(bin, "dmarc-dsn-processor"),
		`#!/bin/sh\necho start >> ${root}/table.calls\nsleep 0.2\n${BIN} "$@"\nrc=$?\necho end >> ${root}/table.calls\nexit $rc\n`,
	);
	chmodSync(join(bin, "dmarc-dsn-processor"), 0o755);
	writeFileSync(
		join(bin, "postfix"),
		`#!/bin/sh\necho "$*" >> ${root}/postfix.calls\n`,
	);
	chmodSync(join(bin, "postfix"), 0o755);
	const map = join(etc, "dmarc_dsn_processor_discards");
	const text = SCRIPT.replace(/^PATH=\/usr\/local\/bin:/m, `PATH=${bin}:`)
		.replace(/^data=.*$/m, `data=${data}`)
		.replace(/^map=.*$/m, `map=${map}`);
	expect(text).toContain(`PATH=${bin}:`);
	expect(text).toContain(`data=${data}\n`);
	expect(text).toContain(`map=${map}\n`);
	const script = join(root, "update-map");
	writeFileSync(script, text, { mode: 0o755 });
	return { root, data, map, script, env: { MAIL_CONFIG: etc } };
}

function update(): { status: number | null; stderr: string } {
	const r = spawnSync("/bin/sh", [s.script], {
		encoding: "utf8",
		env: { PATH: "/usr/bin:/bin", ...s.env },
	});
	return { status: r.status, stderr: r.stderr };
}

function updateAsync(): Promise<number | null> {
	return new Promise((resolve) => {
		const child = spawn("/bin/sh", [s.script], {
			env: { PATH: "/usr/bin:/bin", ...s.env },
			stdio: "ignore",
		});
		child.on("close", resolve);
	});
}

/** What Postfix would read: every entry of the compiled database (fails on a broken one). */
function compiled(): string[] {
	const r = spawnSync(POSTMAP, ["-s", `hash:${s.map}`], {
		encoding: "utf8",
		env: { PATH: "/usr/bin:/bin", ...s.env },
	});
	if (r.status !== 0) throw new Error(`postmap -s: ${r.stderr}`);
	return r.stdout
		.split("\n")
		.filter(Boolean)
		.map((l) => l.split(/\s/)[0] ?? "")
		.sort();
}

function bounce(address: string): void {
	const dsn = makeDsn({ recipients: [{ address }], subject: REPORT_SUBJECT });
	expect(run(["ingest", "Q1", "", s.data], dsn).status).toBe(0);
}

function leftovers(): string[] {
	return readdirSync(join(s.root, "etc")).filter((f) => f.includes(".tmp"));
}

function reloads(): number {
	try {
		return readFileSync(join(s.root, "postfix.calls"), "utf8")
			.split("\n")
			.filter((l) => l === "reload").length;
	} catch {
		return 0;
	}
}

beforeEach(() => {
	s = setup();
});

describe("the map update script", () => {
	test("needs postmap (Postfix) on this machine", () => {
		expect(existsSync(POSTMAP)).toBe(true);
	});

	test("an empty new data dir gives an empty map and its database", () => {
		const r = update();
		expect([r.status, r.stderr]).toEqual([0, ""]);
		expect(readFileSync(s.map, "utf8")).toBe("");
		expect(compiled()).toEqual([]);
		expect(leftovers()).toEqual([]);
	});

	test("a recorded bounce is in the installed database; reload only on a change", () => {
		bounce("rua@bounce.test");
		expect(update().status).toBe(0);
		expect(compiled()).toEqual(["rua@bounce.test"]);
		expect(reloads()).toBe(1);
		expect(update().status).toBe(0);
		expect(reloads()).toBe(1);
		expect(leftovers()).toEqual([]);
	});

	test("a missing, older or broken database is rebuilt though the text is unchanged", () => {
		bounce("rua@bounce.test");
		expect(update().status).toBe(0);
		rmSync(`${s.map}.db`);
		expect(update().status).toBe(0);
		expect(compiled()).toEqual(["rua@bounce.test"]);
		// the text map newer than its database
		const later = new Date(Date.now() + 60_000);
		utimesSync(s.map, later, later);
		expect(update().status).toBe(0);
		expect(compiled()).toEqual(["rua@bounce.test"]);
		// "Invalid hash meta page": garbage where the database was, and newer than the text
		writeFileSync(`${s.map}.db`, "not a database");
		const latest = new Date(Date.now() + 120_000);
		utimesSync(`${s.map}.db`, latest, latest);
		expect(() => compiled()).toThrow();
		expect(update().status).toBe(0);
		expect(compiled()).toEqual(["rua@bounce.test"]);
		expect(leftovers()).toEqual([]);
	});

	test("concurrent runs take turns: every round installs a whole database, no temp files", async () => {
		const addresses: string[] = [];
		for (let round = 1; round <= 3; round++) {
			const address = `rua${round}@bounce.test`;
			bounce(address);
			addresses.push(address);
			const statuses = await Promise.all(
				Array.from({ length: 6 }, () => updateAsync()),
			);
			expect(statuses).toEqual([0, 0, 0, 0, 0, 0]);
			// one run at a time: the table runs never overlap
			const calls = readFileSync(join(s.root, "table.calls"), "utf8");
			expect(calls).toBe("start\nend\n".repeat(6 * round));
			expect(compiled()).toEqual([...addresses].sort());
			expect(leftovers()).toEqual([]);
		}
	});

	test("a missing data dir fails loudly and leaves the map alone", () => {
		bounce("rua@bounce.test");
		expect(update().status).toBe(0);
		rmSync(s.data, { recursive: true });
		const r = update();
		expect(r.status).not.toBe(0);
		expect(r.stderr).toContain("is missing: the map is left as it is");
		expect(compiled()).toEqual(["rua@bounce.test"]);
	});

	test("a data dir without domains/ (not mounted) fails loudly when the map has entries", () => {
		bounce("rua@bounce.test");
		expect(update().status).toBe(0);
		// the mount point of a file system that is not mounted: an empty directory
		rmSync(s.data, { recursive: true });
		mkdirSync(s.data);
		const r = update();
		expect(r.status).not.toBe(0);
		expect(r.stderr).toContain("has no domains/");
		expect(compiled()).toEqual(["rua@bounce.test"]);
		expect(leftovers()).toEqual([]);
	});

	test("a data dir with files but no domains/ is not a data dir, even for an empty map", () => {
		writeFileSync(join(s.data, "something-else"), "");
		const r = update();
		expect(r.status).not.toBe(0);
		expect(r.stderr).toContain("has no domains/");
	});
});
