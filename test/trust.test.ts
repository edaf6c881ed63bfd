import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { listDir, run, tempDataDir } from "./support/cli.ts";
import { signHeaders, txtRecord } from "./support/dkim-sign.ts";
import { makeDsn, REPORT_SUBJECT } from "./support/dsn.ts";

const SENDER = "dmarc-reports@sender.test";
const FIELDS = [
	`From: DMARC Reports <${SENDER}>`,
	"To: rua@bounce.test",
	`Subject: ${REPORT_SUBJECT}`,
	"Message-ID: <1234@sender.test>",
];

function dsn(returned: readonly string[], postfixSender?: string): string {
	return makeDsn({
		recipients: [{ address: "rua@bounce.test" }],
		returnedHeaders: `${returned.join("\n")}\n`,
		postfixSender,
	});
}

function ingest(extra: readonly string[], message: string) {
	const dir = tempDataDir();
	const r = run(["ingest", ...extra, "Q1", "", dir], message);
	return {
		...r,
		domains: listDir(join(dir, "domains")),
		saved: listDir(join(dir, "saved")),
	};
}

describe("--sender: only bounces of our own reports count", () => {
	test("a bounce of a report we sent is recorded", () => {
		const r = ingest(["--sender", SENDER], dsn(FIELDS));
		expect([r.status, r.stdout, r.domains]).toEqual([
			0,
			"recorded example.org: rua@bounce.test (5.1.1)\n",
			["example.org"],
		]);
	});

	test("a forged bounce of a message someone else sent is quarantined", () => {
		const forged = ["From: someone@attacker.example", ...FIELDS.slice(1)];
		const r = ingest(
			["--sender", SENDER],
			dsn(forged, "someone@attacker.example"),
		);
		expect([r.status, r.stdout, r.domains]).toEqual([
			0,
			"quarantined untrusted-not-our-sender: saved/Q1.untrusted-not-our-sender\n",
			[],
		]);
	});

	test("an address the returned original was not sent to cannot be suppressed", () => {
		const other = [
			FIELDS[0] ?? "",
			"To: ceo@customer.example",
			...FIELDS.slice(2),
		];
		expect(ingest(["--sender", SENDER], dsn(other)).stdout).toStartWith(
			"quarantined untrusted-not-a-recipient",
		);
	});

	test("a second To field (RFC 5322 §3.6 allows one) is refused", () => {
		const twice = ["To: rua@bounce.test", ...FIELDS];
		expect(ingest(["--sender", SENDER], dsn(twice)).stdout).toStartWith(
			"quarantined untrusted-repeated-to",
		);
	});

	test("REPORT_SENDERS from the environment, and a VERP sender is ours", () => {
		const dir = tempDataDir();
		const verp = [
			`From: ${SENDER.replace("@", "+rua=bounce.test@")}`,
			...FIELDS.slice(1),
		];
		const r = run(["ingest", "Q2", "", dir], dsn(verp), {
			REPORT_SENDERS: SENDER,
		});
		expect(r.stdout).toStartWith("recorded example.org");
	});

	test("an option value is never taken for the queue id, and a bad sender defers with a clear line", () => {
		const r = ingest(["--sender", "not-an-address"], dsn(FIELDS));
		expect([r.status, r.stdout]).toEqual([
			75,
			"4.3.0 --sender takes a full address, not 'not-an-address'\n",
		]);
	});
});

describe("--require-dkim: only our verified signature can make us suppress", () => {
	const keyFile = join(tempDataDir(), "rsa.txt");
	writeFileSync(keyFile, txtRecord());
	const key = ["--dkim-key", `rsa._domainkey.sender.test=${keyFile}`];
	const signed = [signHeaders(FIELDS, "sender.test", "rsa"), ...FIELDS];

	test("a signed returned header block verifies and is recorded", () => {
		const r = ingest(
			["--sender", SENDER, ...key, "--require-dkim"],
			dsn(signed),
		);
		expect([r.status, r.stdout]).toEqual([
			0,
			"recorded example.org: rua@bounce.test (5.1.1)\n",
		]);
	});

	test("a changed recipient breaks the signature: quarantined", () => {
		const tampered = signed.map((f) =>
			f === "To: rua@bounce.test" ? "To: ceo@bounce.test" : f,
		);
		const message = makeDsn({
			recipients: [{ address: "ceo@bounce.test" }],
			returnedHeaders: `${tampered.join("\n")}\n`,
		});
		const r = ingest(["--sender", SENDER, ...key, "--require-dkim"], message);
		expect(r.stdout).toStartWith("quarantined untrusted-dkim-unverified");
		expect(r.domains).toEqual([]);
	});

	test("no signature at all: quarantined", () => {
		expect(ingest([...key, "--require-dkim"], dsn(FIELDS)).stdout).toStartWith(
			"quarantined untrusted-dkim-unverified",
		);
	});

	test("the dry run shows the verification", () => {
		const r = ingest(["--dry-run", ...key], dsn(signed));
		expect(JSON.parse(r.stdout).dkim).toBe("pass d=sender.test");
	});
});
