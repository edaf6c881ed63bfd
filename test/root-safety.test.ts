// Issue 11, attacks 13, 15 and 16; issue 13, root-owned leftovers. root's cron runs
// `table` (and each operator option) on a data dir that the pipe user owns: whatever
// links that user plants, root must touch nothing outside the data dir, never block,
// and leave nothing root-owned inside it. These tests need root (CI and the dev
// machines run as root): without it they fail, they do not pass by skipping.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import {
	chmodSync,
	chownSync,
	lchownSync,
	lstatSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	rmSync,
	symlinkSync,
	utimesSync,
	writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { BIN, tempDataDir } from "./support/cli.ts";
import { makeDsn, REPORT_SUBJECT } from "./support/dsn.ts";

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

function needRoot(): void {
	if (!isRoot)
		throw new Error(
			"this test needs root (it plays root's cron on a data dir owned by nobody)",
		);
}

interface Scene {
	readonly data: string;
	readonly rootDir: string;
	readonly rootFile: string;
	readonly fifo: string;
	snapshot(): string;
}

const RECORD = `${JSON.stringify({
	report_domain: "example.org",
	action: "failed",
	status: "5.1.1",
	final_rcpt: "rua@example.net",
	orig_rcpt: "rua@example.net",
	date: "",
	time: new Date(Date.now() - 86_400_000).toISOString(),
})}\n`;

/** A nobody-owned data dir with one record, beside root's own files. */
function scene(): Scene {
	const base = tempDataDir();
	chmodSync(base, 0o755);
	const data = join(base, "data");
	mkdirSync(join(data, "domains"), { recursive: true });
	writeFileSync(join(data, "domains", "example.org"), RECORD);
	for (const path of [
		data,
		join(data, "domains"),
		join(data, "domains", "example.org"),
	])
		chownSync(path, NOBODY, NOBODY);
	const rootDir = join(base, "root-dir");
	mkdirSync(rootDir, { mode: 0o700 });
	writeFileSync(join(rootDir, "old-file"), "root's\n");
	utimesSync(
		join(rootDir, "old-file"),
		new Date("2024-01-01"),
		new Date("2024-01-01"),
	);
	const rootFile = join(base, "passwd");
	writeFileSync(rootFile, "root:x:0:0:root:/root:/bin/sh\n", { mode: 0o644 });
	const fifo = join(base, "fifo");
	expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
	const snapshot = () =>
		JSON.stringify([
			readdirSync(rootDir).sort(),
			readFileSync(join(rootDir, "old-file"), "utf8"),
			readFileSync(rootFile, "utf8"),
			[lstatSync(rootFile).uid, lstatSync(rootFile).mode],
			lstatSync(rootDir).uid,
			lstatSync(fifo).isFIFO(),
		]);
	return { data, rootDir, rootFile, fifo, snapshot };
}

/** A link the pipe user planted: owned by nobody, like everything it makes. */
function plant(target: string, path: string): void {
	rmSync(path, { recursive: true, force: true });
	symlinkSync(target, path);
	lchownSync(path, NOBODY, NOBODY);
}

function run(args: readonly string[], input = "") {
	const r = spawnSync(BIN, args, {
		input,
		encoding: "utf8",
		env: { PATH: "/usr/bin:/bin" },
		timeout: 30_000,
	});
	return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every entry below `dir` that is not owned by nobody. */
function rootOwned(dir: string): string[] {
	const out: string[] = [];
	for (const name of readdirSync(dir)) {
		const path = join(dir, name);
		const stat = lstatSync(path);
		if (stat.uid !== NOBODY) out.push(path);
		if (stat.isDirectory()) out.push(...rootOwned(path));
	}
	return out;
}

const GARBAGE = "Subject: hello\n\nnot a bounce\n";
const DSN = makeDsn({
	recipients: [{ address: "rua@bounce.test" }],
	subject: REPORT_SUBJECT,
});

describe("root never acts through the pipe user's links (attack 13)", () => {
	test("saved -> a root directory: --prune and ingest leave it alone", () => {
		needRoot();
		const s = scene();
		const before = s.snapshot();
		plant(s.rootDir, join(s.data, "saved"));
		const prune = run(["table", "--prune", "--saved-days", "0", s.data]);
		expect(prune.status).toBe(74);
		expect(prune.stderr).toContain("refused");
		const ingest = run(["ingest", "Q1", "", s.data], GARBAGE);
		expect(ingest.status).toBe(75);
		expect(s.snapshot()).toBe(before);
	});

	test("released -> a root file: --release neither appends to it nor chowns it", () => {
		needRoot();
		const s = scene();
		const before = s.snapshot();
		plant(s.rootFile, join(s.data, "released"));
		const r = run(["table", "--release", "rua@example.net", s.data]);
		expect(r.status).toBe(74);
		expect(s.snapshot()).toBe(before);
	});

	test("surge-confirmed, its temporary names and the warning state as links: nothing is truncated", () => {
		needRoot();
		const s = scene();
		const before = s.snapshot();
		plant(s.rootFile, join(s.data, "surge-confirmed"));
		for (let pid = process.pid; pid < process.pid + 300; pid++)
			plant(s.rootFile, join(s.data, `surge-confirmed.tmp.${pid}`));
		expect(run(["table", "--confirm-surge", s.data]).status).toBe(74);
		rmSync(join(s.data, "surge-confirmed"));
		// the warning state refused: the map is still made, every warning said
		plant(s.rootFile, join(s.data, "warned"));
		const r = run(["table", s.data]);
		expect(r.status).toBe(0);
		expect(r.stdout).toStartWith("rua@example.net discard:");
		expect(r.stderr).toContain("refused: warnings cannot be remembered");
		expect(s.snapshot()).toBe(before);
	});

	test("domains/x -> a FIFO, a FIFO, /proc/kmsg: table never blocks and keeps the map", () => {
		needRoot();
		const s = scene();
		const before = s.snapshot();
		plant(s.fifo, join(s.data, "domains", "x.example"));
		plant("/proc/kmsg", join(s.data, "domains", "kmsg.example"));
		expect(
			spawnSync("mkfifo", [join(s.data, "domains", "fifo.example")]).status,
		).toBe(0);
		for (const args of [
			["table"],
			["table", "--prune"],
			["table", "--release", "rua@example.net"],
		]) {
			const r = run([...args, s.data]);
			expect([args, r.status]).toEqual([args, 0]);
		}
		expect(run(["table", "--confirm-surge", s.data]).stdout).toBe("");
		expect(s.snapshot()).toBe(before);
	});

	test("domains -> a root directory, prune.lock -> a root file: refused", () => {
		needRoot();
		const s = scene();
		const before = s.snapshot();
		plant(s.rootFile, join(s.data, "prune.lock"));
		expect(run(["table", "--prune", "--saved-days", "0", s.data]).status).toBe(
			74,
		);
		rmSync(join(s.data, "prune.lock"));
		plant(s.rootDir, join(s.data, "domains"));
		for (const args of [["table"], ["table", "--prune"]])
			expect(run([...args, s.data]).status).toBe(74);
		expect(run(["ingest", "Q2", "", s.data], DSN).status).toBe(75);
		expect(s.snapshot()).toBe(before);
	});
});

test("a link raced into a file that prune rewrites is refused, never appended to or chowned", () => {
	needRoot();
	const s = scene();
	const before = s.snapshot();
	// the moment after prune renamed example.org aside: the pipe user plants a link
	const domains = join(s.data, "domains");
	writeFileSync(join(domains, ".~example.org"), RECORD);
	chownSync(join(domains, ".~example.org"), NOBODY, NOBODY);
	plant(s.rootFile, join(domains, "example.org"));
	const r = run(["table", "--prune", s.data]);
	expect(r.status).toBe(74);
	expect(s.snapshot()).toBe(before);
	// the record set aside is not lost: the map still holds it
	rmSync(join(domains, "example.org"));
	expect(run(["table", s.data]).stdout).toStartWith("rua@example.net discard:");
});

describe("--output writes only a regular file (attack 15)", () => {
	test("a device node or a link in its place is refused, not replaced", () => {
		needRoot();
		const s = scene();
		const before = s.snapshot();
		const dev = join(s.data, "..", "null-device");
		expect(spawnSync("mknod", [dev, "c", "1", "3"]).status).toBe(0);
		const r = run(["table", "--output", dev, s.data]);
		expect(r.status).toBe(74);
		expect(lstatSync(dev).isCharacterDevice()).toBe(true);
		const link = join(s.data, "..", "map-link");
		symlinkSync(s.rootFile, link);
		expect(run(["table", "--output", link, s.data]).status).toBe(74);
		expect(lstatSync(link).isSymbolicLink()).toBe(true);
		const map = join(s.data, "..", "map");
		expect(run(["table", "--output", map, s.data]).status).toBe(0);
		expect(readFileSync(map, "utf8")).toStartWith("rua@example.net discard:");
		expect(s.snapshot()).toBe(before);
	});
});

describe("root leaves nothing root-owned in the pipe user's data dir (issue 13)", () => {
	test("ingest, table and every operator option as root", () => {
		needRoot();
		const base = tempDataDir();
		const data = join(base, "data");
		mkdirSync(data);
		chownSync(data, NOBODY, NOBODY);
		expect(run(["ingest", "Q3", "", data], DSN).status).toBe(0);
		expect(run(["ingest", "Q4", "", data], GARBAGE).status).toBe(0);
		expect(readdirSync(data).sort()).toEqual(["domains", "journal", "saved"]);
		writeFileSync(
			join(data, "domains", "example.org"),
			RECORD.replace(/"time":"[^"]*"/, '"time":"2024-01-01T00:00:00Z"'),
			{ flag: "a" },
		);
		for (const args of [
			["table"],
			["table", "--release", "rua@bounce.test"],
			["table", "--confirm-surge"],
			["table", "--prune"],
		])
			expect([args, run([...args, data]).status]).toEqual([args, 0]);
		expect(readdirSync(data).sort()).toEqual([
			"domains",
			"journal",
			"released",
			"saved",
			"surge-confirmed",
		]);
		expect(rootOwned(data)).toEqual([]);
	});
});
