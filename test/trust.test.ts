import { describe, expect, test } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { decide } from "../src/decide.ts";
import { type DkimKeyLookup, dnsKeyLookup } from "../src/trust/dkim.ts";
import { listDir, run, tempDataDir } from "./support/cli.ts";
import { signHeaders, txtRecord } from "./support/dkim-sign.ts";
import { strings, txtServer } from "./support/dns-txt.ts";
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

// Issue 11: the trust options must hold against a sender who knows how they work. Each
// attack is built here from our own test keys (test/support/dkim-sign.ts) and a DSN
// generator, and each test asserts the fixed behaviour.
describe("issue 11: attacks on the trust options", () => {
	const dir = tempDataDir();
	const keyFile = join(dir, "rsa.txt");
	writeFileSync(keyFile, txtRecord());
	const key = ["--dkim-key", `rsa._domainkey.sender.test=${keyFile}`];
	const strongest = ["--sender", SENDER, ...key, "--require-dkim"];
	const ATTACKER = "rua@attacker.test";
	/** A genuine report of ours to the attacker's own rua address, signed by us. */
	const toAttacker = [
		`From: DMARC Reports <${SENDER}>`,
		`To: ${ATTACKER}`,
		`Subject: ${REPORT_SUBJECT}`,
		"Message-ID: <99@sender.test>",
	];
	const signedToAttacker = [
		signHeaders(toAttacker, "sender.test", "rsa"),
		...toAttacker,
	];
	const bounce = (
		returned: readonly string[],
		failed: readonly string[],
		status?: string,
		postfixSender?: string,
	) =>
		makeDsn({
			recipients: failed.map((address) =>
				status ? { address, status } : { address },
			),
			returnedHeaders: `${returned.join("\n")}\n`,
			postfixSender,
		});

	test("attack 2: an unsigned Cc added to our signed report is no proof (1 and 50 victims)", () => {
		const victims = Array.from({ length: 50 }, (_, i) => `v${i}@victim.test`);
		for (const named of [victims.slice(0, 1), victims]) {
			const replay = [...signedToAttacker, `Cc: ${named.join(", ")}`];
			const r = ingest(strongest, bounce(replay, named));
			expect([r.status, r.stdout, r.domains]).toEqual([
				0,
				"quarantined untrusted-dkim-unsigned-recipient: saved/Q1.untrusted-dkim-unsigned-recipient\n",
				[],
			]);
		}
		// the same report bounced by the attacker's own address is genuine and recorded
		const own = ingest(strongest, bounce(signedToAttacker, [ATTACKER]));
		expect(own.stdout).toBe(`recorded example.org: ${ATTACKER} (5.1.1)\n`);
	});

	test("attack 2: Cc counts only when h= covers it; a Cc added over a signed-absent one breaks the signature", () => {
		const withCc = [...toAttacker, "Cc: second@bounce.test"];
		const signed = [signHeaders(withCc, "sender.test", "rsa"), ...withCc];
		expect(
			ingest(strongest, bounce(signed, ["second@bounce.test"])).stdout,
		).toBe("recorded example.org: second@bounce.test (5.1.1)\n");
		// h= names cc although there was none (RFC 6376 §5.4: signs its absence)
		const sealed = [
			signHeaders(toAttacker, "sender.test", "rsa", {
				h: "from:to:subject:message-id:cc",
			}),
			...toAttacker,
		];
		const added = [...sealed, "Cc: victim@victim.test"];
		expect(
			ingest(strongest, bounce(added, ["victim@victim.test"])).stdout,
		).toStartWith("quarantined untrusted-dkim-unverified");
		expect(ingest(strongest, bounce(sealed, [ATTACKER])).stdout).toStartWith(
			"recorded example.org",
		);
	});

	test("attack 2: a To added above the signed one (bottom-up selection) never counts", () => {
		const replay = ["To: victim@victim.test", ...signedToAttacker];
		const r = ingest(strongest, bounce(replay, ["victim@victim.test"]));
		expect(r.stdout).toStartWith("quarantined untrusted-repeated-to");
		expect(r.domains).toEqual([]);
	});

	test("attack 3: --require-dkim without --sender or --dkim-key refuses to run (75, 4.3.0)", () => {
		const r = ingest(["--require-dkim"], dsn(FIELDS));
		expect([r.status, r.stdout, r.domains, r.saved]).toEqual([
			75,
			"4.3.0 --require-dkim needs --sender or --dkim-key: without them any domain's signature would count\n",
			[],
			[],
		]);
	});

	test("attack 3: another domain's valid signature is not ours, even with its key at hand", async () => {
		const attacker = generateKeyPairSync("rsa", { modulusLength: 2048 });
		const forged = [
			`From: DMARC Reports <${SENDER}>`,
			"To: victim@victim.test",
			`Subject: ${REPORT_SUBJECT}`,
		];
		const signed = [
			signHeaders(forged, "attacker.test", "evil", {
				key: attacker.privateKey,
			}),
			...forged,
		];
		// as DNS would serve them: ours, and the attacker's own
		const asked: string[] = [];
		const lookup: DkimKeyLookup = async (selector, domain) => {
			asked.push(`${selector}._domainkey.${domain}`);
			if (domain === "attacker.test") return txtRecord(attacker.publicKey);
			if (domain === "sender.test") return txtRecord();
			return undefined;
		};
		const input = new TextEncoder().encode(
			bounce(signed, ["victim@victim.test"]),
		);
		const decision = await decide(input, "", {
			senders: [SENDER],
			dkim: lookup,
			requireDkim: true,
		});
		expect([decision.outcome, decision.reason, decision.dkim]).toEqual([
			"quarantine",
			"untrusted-dkim-unverified",
			"permerror d=attacker.test (not ours)",
		]);
		expect(asked).toEqual([]); // another domain's key is not even looked up
		// the binary, with the key file for our domain only: the same
		const r = ingest(strongest, bounce(signed, ["victim@victim.test"]));
		expect(r.stdout).toStartWith("quarantined untrusted-dkim-unverified");
	});

	test("attack 3: our own signature must name the failed address (--dkim-key alone)", () => {
		// no --sender: the key's domain is ours; the report went to the attacker
		const r = ingest(
			[...key, "--require-dkim"],
			bounce(signedToAttacker, ["victim@victim.test"]),
		);
		expect([r.stdout, r.domains]).toEqual([
			"quarantined untrusted-dkim-unsigned-recipient: saved/Q1.untrusted-dkim-unsigned-recipient\n",
			[],
		]);
	});

	test("attack 4: a sender-side failure (5.7.1 DMARC policy) passes the same checks", () => {
		const dmarc = (
			returned: readonly string[],
			failed: string,
			sender?: string,
		) =>
			bounce(returned, [failed], "5.7.1", sender).replace(
				/Recipient address rejected:\n {4}User unknown/,
				"Message rejected due to DMARC policy",
			);
		const forged = [
			`From: DMARC Reports <${SENDER}>`,
			"To: victim@victim.test",
			`Subject: ${REPORT_SUBJECT}`,
		];
		const unsigned = ingest(strongest, dmarc(forged, "victim@victim.test"));
		expect([unsigned.stdout, unsigned.domains]).toEqual([
			"quarantined untrusted-dkim-unverified: saved/Q1.untrusted-dkim-unverified\n",
			[],
		]);
		const notOurs = ingest(
			["--sender", SENDER],
			dmarc(
				["From: someone@attacker.test", ...forged.slice(1)],
				"victim@victim.test",
				"someone@attacker.test",
			),
		);
		expect(notOurs.stdout).toStartWith("quarantined untrusted-not-our-sender");
		// a genuine one is still recorded, loudly, and not suppressed
		const genuine = ingest(strongest, dmarc(signedToAttacker, ATTACKER));
		expect([genuine.stdout, genuine.domains]).toEqual([
			`WARNING sender-side failure, recorded example.org: ${ATTACKER} (5.7.1, sender-side: not suppressed)\n`,
			["example.org"],
		]);
	});

	test("attack 10: an RSA-2048 key in DNS, in several strings, next to another TXT record", async () => {
		const record = txtRecord();
		expect(record.length).toBeGreaterThan(255);
		const server = await txtServer(
			new Map([
				[
					"rsa._domainkey.sender.test",
					[["google-site-verification=x"], strings(record)],
				],
			]),
		);
		try {
			const lookup = dnsKeyLookup(2000, [server.address]);
			expect(await lookup("rsa", "sender.test")).toBe(record);
			expect(await lookup("none", "sender.test")).toBeUndefined();
			const decision = await decide(
				new TextEncoder().encode(dsn(signedFields())),
				"",
				{ senders: [SENDER], dkim: lookup, requireDkim: true },
			);
			expect([decision.outcome, decision.dkim]).toEqual([
				"record",
				"pass d=sender.test",
			]);
			expect(server.queries).toContain("rsa._domainkey.sender.test");
			// no answer in time: thrown, so the DSN waits (temperror), never "no key"
			await expect(
				dnsKeyLookup(200, ["127.0.0.1:9"])("rsa", "sender.test"),
			).rejects.toThrow();
		} finally {
			await server.close();
		}
	});

	test("attack 12: one report to two rua addresses: a signature cannot tell which bounced", () => {
		// documented in README's Security section: the holder of one address can forge a
		// bounce for the other, because our signature covers both
		const both = [
			`From: DMARC Reports <${SENDER}>`,
			`To: ${ATTACKER}, other@bounce.test`,
			`Subject: ${REPORT_SUBJECT}`,
		];
		const signedBoth = [signHeaders(both, "sender.test", "rsa"), ...both];
		expect(
			ingest(strongest, bounce(signedBoth, ["other@bounce.test"])).stdout,
		).toBe("recorded example.org: other@bounce.test (5.1.1)\n");
		// the remedy: one message per rua address; then the forgery has nothing to stand on
		expect(
			ingest(strongest, bounce(signedToAttacker, ["other@bounce.test"])).stdout,
		).toStartWith("quarantined untrusted-not-a-recipient");
	});
});

/** FIELDS signed by our key: a genuine report's returned headers. */
function signedFields(): string[] {
	return [signHeaders(FIELDS, "sender.test", "rsa"), ...FIELDS];
}
