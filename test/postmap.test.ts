import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keyHold, normalizeMailbox } from "../src/dsn/mailbox.ts";
import type { Entry } from "../src/table/evaluate.ts";
import { type Format, render } from "../src/table/render.ts";
import { run, tempDataDir } from "./support/cli.ts";
import { makeDsn, REPORT_SUBJECT } from "./support/dsn.ts";

// Issue 12: every key is checked against what Postfix itself finds, `postmap -q` on the
// real map file, not against our idea of it. Needs Postfix (apt-get install -y postfix).

const POSTMAP = ["/usr/sbin/postmap", "/usr/bin/postmap"].find(
	(p) => spawnSync(p, ["-?"], { stdio: "ignore" }).error === undefined,
);

function postmapPath(): string {
	if (POSTMAP === undefined)
		throw new Error(
			"postmap not found: these tests need Postfix (apt-get install -y postfix); .ci/run installs it",
		);
	return POSTMAP;
}

// a private config dir: the machine's /etc/postfix may be missing or an e2e run's
const CONFIG = mkdtempSync(join(tmpdir(), "dmarc-postmap-"));
// Postfix's defaults at compatibility_level >= 1: smtputf8_enable = yes, keys casefolded
writeFileSync(
	join(CONFIG, "main.cf"),
	"compatibility_level = 3.6\nsmtputf8_enable = yes\n",
);

const NOW = Date.UTC(2026, 11, 1);

/** The map `table` writes for these addresses, as ingest normalises them. */
function mapFor(inputs: readonly string[], format: Format): string {
	const entries: Entry[] = inputs.map((input) => {
		const address = normalizeMailbox(input);
		if (address === undefined) throw new Error(`invalid: ${input}`);
		return {
			address,
			listed: true,
			hold: null,
			domains: ["example.com"],
			cause: "recipient",
			firstBounce: NOW,
			lastBounce: NOW,
			episode: 1,
			until: NOW,
		};
	});
	const surge = { tripped: false, today: 0, baseline: 0, threshold: 0 };
	return render({ entries, surge }, format, {
		accessAction: "REJECT",
		now: NOW,
	});
}

/** Writes and postmaps the map; returns a lookup function on the hash table. */
function postmapped(text: string, table = "hash") {
	const dir = mkdtempSync(join(CONFIG, "map-"));
	const file = join(dir, "map");
	writeFileSync(file, text);
	const built = spawnSync(postmapPath(), ["-c", CONFIG, `${table}:${file}`], {
		encoding: "utf8",
	});
	expect(built.stderr).toBe("");
	expect(built.status).toBe(0);
	const lookup = (
		key: string,
		map = `${table}:${file}`,
	): string | undefined => {
		const r = spawnSync(postmapPath(), ["-c", CONFIG, "-q", key, map], {
			encoding: "utf8",
		});
		if (r.status === 1) return undefined;
		if (r.status !== 0) throw new Error(`postmap -q ${key}: ${r.stderr}`);
		return r.stdout.trim();
	};
	return Object.assign(lookup, { file });
}

test("postmap is installed (Postfix is needed for these tests)", () => {
	expect(postmapPath()).toMatch(/postmap$/);
});

const ALL = [
	"ﬁnance@x.example",
	"straße@x.example",
	"ſupport@x.example",
	"#hash@x.example",
	"-rua@x.example",
	"rua@bücher.example",
	"İnfo@example.org",
	"प्रतिवेदन@example.org",
	"dmarc@bounce.test",
	"dmarc+4711@bounce.test",
	"after@x.example",
	"ılık@example.org",
	"rua@straße.de",
];

describe("issue 4: keys that postmap would change are held, not mapped", () => {
	const transport = mapFor(ALL, "transport");
	const q = postmapped(transport);

	test.each([
		["ﬁnance@x.example", "finance@x.example"],
		["straße@x.example", "strasse@x.example"],
		["ſupport@x.example", "support@x.example"],
	])("%p: not on the map, so %p is not silenced", (held, other) => {
		expect(keyHold(normalizeMailbox(held) ?? "")).toBe("case-folding");
		expect(q(held)).toBeUndefined();
		expect(q(other)).toBeUndefined();
		expect(transport).not.toContain(held.split("@")[0] ?? "");
	});

	test("#hash@x.example: held (a comment in the map source), the map around it intact", () => {
		expect(keyHold(normalizeMailbox("#hash@x.example") ?? "")).toBe(
			"map-comment",
		);
		expect(transport).not.toMatch(/^#/m);
		expect(q("#hash@x.example")).toBeUndefined();
		expect(q("after@x.example")).toStartWith("discard:");
	});

	test("ılık@ (dotless ı, not folded by postmap) and rua@straße.de are their own keys", () => {
		expect(q("ılık@example.org")).toStartWith("discard:");
		expect(q("ilik@example.org")).toBeUndefined();
		// the U-label form would fold into strasse.de, another domain: A-label key only
		expect(q("rua@xn--strae-oqa.de")).toStartWith("discard:");
		expect(q("rua@strasse.de")).toBeUndefined();
	});

	test("-rua@x.example: found in the map; --format list writes it quoted", () => {
		expect(q("-rua@x.example")).toStartWith("discard:");
		const list = mapFor(["-rua@x.example", "rua@x.example"], "list");
		expect(list).toBe('"-rua"@x.example\nrua@x.example\n');
		expect(list).not.toMatch(/^-/m);
	});

	test("json reports the held addresses with their reason", () => {
		const json = JSON.parse(mapFor(ALL, "json")) as {
			entries: { address: string; listed: boolean; hold: string | null }[];
		};
		const held = json.entries.filter((e) => !e.listed);
		expect(held.map((e) => [e.address, e.hold])).toEqual([
			["ﬁnance@x.example", "case-folding"],
			["straße@x.example", "case-folding"],
			["ſupport@x.example", "case-folding"],
			["#hash@x.example", "map-comment"],
		]);
	});
});

describe("issue 5: Unicode addresses", () => {
	const q = postmapped(mapFor(ALL, "transport"));
	const access = postmapped(mapFor(ALL, "access"));

	test.each([
		"rua@bücher.example",
		"rua@xn--bcher-kva.example",
		"RUA@BÜCHER.example",
		"rua@XN--BCHER-KVA.example",
	])("rua@bücher.example is found as %p (transport and access)", (key) => {
		expect(q(key)).toStartWith("discard:");
		expect(access(key)).toStartWith("REJECT ");
	});

	test("İnfo@example.org: ingest, table and --release agree, postmap finds it", () => {
		const key = normalizeMailbox("İnfo@example.org");
		expect(key).toBe("i\u0307nfo@example.org");
		expect(normalizeMailbox("i\u0307nfo@example.org")).toBe(key);
		expect(q("İnfo@example.org")).toStartWith("discard:");
		expect(q(key ?? "")).toStartWith("discard:");
		// a different mailbox: the dot above is part of the address
		expect(q("info@example.org")).toBeUndefined();
	});

	test("a Devanagari local part with combining marks is valid and found", () => {
		expect(q("प्रतिवेदन@example.org")).toStartWith("discard:");
		expect(q("प्रतिवेदन@example.com")).toBeUndefined();
	});
});

describe("issue 2: a key is its whole address only", () => {
	const q = postmapped(
		mapFor(["dmarc@bounce.test", "rua+4711@bounce.test"], "transport"),
	);
	// README "Map keys": main.cf reads the map through a unionmap whose first table is an
	// empty regexp, which makes Postfix query it with whole addresses only (never the
	// user+ext -> user fallback); proven under the real Postfix by scripts/e2e 12-keys.sh
	const wrapped = `unionmap:{regexp:{}, hash:${q.file}}`;
	test.each([
		["dmarc@bounce.test", true],
		["DMARC@Bounce.Test", true],
		["rua+4711@bounce.test", true],
		["dmarc+customer7@bounce.test", false],
		["rua@bounce.test", false],
	])("%p found through the wrapper: %p", (key, found) => {
		expect(q(key, wrapped) !== undefined).toBe(found);
		expect(q(key) !== undefined).toBe(found);
	});
});

describe("the binary: ingest, table, postmap -q and --release agree", () => {
	const dir = tempDataDir();
	let n = 0;
	function ingest(address: string, original?: string, text?: string): string {
		let dsn = makeDsn({
			recipients: [{ address, ...(original ? { original } : {}) }],
			subject: REPORT_SUBJECT,
		});
		if (text !== undefined)
			dsn = dsn.replace(
				"This is the mail system at host mail.sender.test.",
				text,
			);
		const r = run(["ingest", `Q${++n}`, "", dir], dsn);
		expect(r.status).toBe(0);
		return r.stdout.trim();
	}
	function table(): string {
		const r = run(["table", dir]);
		expect(r.status).toBe(0);
		return r.stdout;
	}

	test("each case in, the key Postfix finds out", () => {
		expect(ingest("İnfo@example.org")).toBe(
			"recorded example.org: i\u0307nfo@example.org (5.1.1)",
		);
		// Postfix writes Original-Recipient: rfc822;dmarc+4711@bounce.test (not xtext)
		expect(ingest("dmarc+4711@bounce.test")).toBe(
			"recorded example.org: dmarc+4711@bounce.test (5.1.1)",
		);
		expect(ingest("ﬁnance@x.example")).toStartWith(
			"quarantined case-folding: saved/",
		);
		expect(ingest("#hash@x.example")).toStartWith(
			"quarantined map-comment: saved/",
		);
		expect(
			ingest(
				"old.admin@company.example",
				"rua@company.example",
				"<old.admin@company.example> (expanded from <rua@company.example>): host mx.company.example said: 550 5.1.1 User unknown",
			),
		).toStartWith("quarantined alias-member: saved/");
		expect(ingest("प्रतिवेदन@example.org")).toBe(
			"recorded example.org: प्रतिवेदन@example.org (5.1.1)",
		);
		expect(ingest("rua@bücher.example")).toBe(
			"recorded example.org: rua@xn--bcher-kva.example (5.1.1)",
		);
		const map = table();
		expect(map.split("\n").map((l) => l.split(" ")[0])).toEqual([
			"dmarc+4711@bounce.test",
			"i\u0307nfo@example.org",
			"rua@bücher.example",
			"rua@xn--bcher-kva.example",
			"प्रतिवेदन@example.org",
			"",
		]);
		const q = postmapped(map);
		for (const found of [
			"İnfo@example.org",
			"dmarc+4711@bounce.test",
			"rua@bücher.example",
			"rua@xn--bcher-kva.example",
			"प्रतिवेदन@example.org",
		])
			expect(q(found)).toStartWith("discard:");
		for (const missing of [
			"dmarcg11@bounce.test",
			"finance@x.example",
			"ﬁnance@x.example",
			"rua@company.example",
			"old.admin@company.example",
		])
			expect(q(missing)).toBeUndefined();
	});

	test("a Final-Recipient rewritten without expansion evidence: the address we sent to", () => {
		expect(ingest("mbox-17@store.example.net", "rua@example.net")).toBe(
			"recorded example.org: rua@example.net (5.1.1)",
		);
		expect(
			ingest(
				"member@lists.example.net",
				"list@example.net",
				"  member@lists.example.net\n    (generated from list@example.net)\n    SMTP error: 550 5.1.1 unknown user",
			),
		).toStartWith("quarantined alias-member: saved/");
		const keys = table().split("\n");
		expect(keys.some((l) => l.startsWith("rua@example.net "))).toBe(true);
		expect(keys.some((l) => /^(list|member)@/.test(l))).toBe(false);
		run(["table", "--release", "rua@example.net", dir]);
	});

	test("--release İnfo@example.org takes exactly that key off", () => {
		const r = run(["table", "--release", "İnfo@example.org", dir]);
		expect(r.status).toBe(0);
		expect(r.stderr).toContain("released i\u0307nfo@example.org");
		const q = postmapped(table());
		expect(q("İnfo@example.org")).toBeUndefined();
		expect(q("rua@bücher.example")).toStartWith("discard:");
	});
});

process.on("exit", () => rmSync(CONFIG, { recursive: true, force: true }));
