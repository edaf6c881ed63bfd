import { afterAll, describe, expect, test } from "bun:test";
import {
	createHash,
	generateKeyPairSync,
	type KeyObject,
	sign,
} from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
	combineLookups,
	type DkimKeyLookup,
	type DkimResult,
	dnsKeyLookup,
	fileKeyLookup,
	verifyDkim,
} from "../../src/trust/dkim.ts";
import { parseKeyRecord } from "../../src/trust/dkim-key.ts";

// A small signer, written apart from the verifier: it canonicalises with its own code and
// signs exactly the header fields each test lists (the test decides which instance of a
// repeated name the signer saw), so the verifier's selection and canonicalisation are checked
// rather than reused.

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ed = generateKeyPairSync("ed25519");

function rsaRecord(key: KeyObject): string {
	const der = key.export({ type: "spki", format: "der" });
	return `v=DKIM1; k=rsa; p=${der.toString("base64")}`;
}

function edRecord(key: KeyObject): string {
	// RFC 8463 §4: the raw 32 bytes, i.e. the SubjectPublicKeyInfo without its 12-byte header
	const der = key.export({ type: "spki", format: "der" });
	return `v=DKIM1; k=ed25519; p=${der.subarray(12).toString("base64")}`;
}

const KEYS: Record<string, string> = {
	"rsa._domainkey.example.org": rsaRecord(rsa.publicKey),
	"ed._domainkey.example.org": edRecord(ed.publicKey),
};

function lookupFrom(keys: Record<string, string>): DkimKeyLookup {
	return async (selector, domain) => keys[`${selector}._domainkey.${domain}`];
}

const lookup = lookupFrom(KEYS);

function relaxedHeader(field: string): string {
	const colon = field.indexOf(":");
	const value = field
		.slice(colon + 1)
		.replace(/\r\n$/, "")
		.replace(/\r\n(?=[ \t])/g, "")
		.replace(/[ \t]+/g, " ")
		.trim();
	return `${field.slice(0, colon).trim().toLowerCase()}:${value}`;
}

function simpleBody(body: string): string {
	return body.replace(/(\r\n)*$/, "\r\n");
}

function relaxedBody(body: string): string {
	const text = body
		.replace(/[ \t]+(?=\r\n|$)/g, "")
		.replace(/[ \t]+/g, " ")
		.replace(/(\r\n)*$/, "\r\n");
	return text === "\r\n" ? "" : text;
}

interface SignSpec {
	readonly key?: KeyObject;
	readonly algorithm?: "rsa-sha256" | "ed25519-sha256" | "rsa-sha1";
	readonly canon?: "relaxed/relaxed" | "simple/simple";
	readonly selector?: string;
	readonly h?: string;
	/** The fields the signer signs, in h= order (a name with no field signs nothing). */
	readonly signed: readonly string[];
	readonly body: string;
	/** More tags, each ending in ";". */
	readonly tags?: string;
	readonly bodyHash?: string;
}

/** A DKIM-Signature field, folded, its b= value folded too, with its CRLF. */
function signature(spec: SignSpec): string {
	const algorithm = spec.algorithm ?? "rsa-sha256";
	const canon = spec.canon ?? "relaxed/relaxed";
	const relaxed = canon === "relaxed/relaxed";
	const selector =
		spec.selector ?? (algorithm === "ed25519-sha256" ? "ed" : "rsa");
	const key =
		spec.key ??
		(algorithm === "ed25519-sha256" ? ed.privateKey : rsa.privateKey);
	const bh =
		spec.bodyHash ??
		createHash("sha256")
			.update(
				Buffer.from(
					relaxed ? relaxedBody(spec.body) : simpleBody(spec.body),
					"latin1",
				),
			)
			.digest("base64");
	const unsigned =
		`DKIM-Signature: v=1; a=${algorithm}; c=${canon}; d=example.org;\r\n` +
		`\ts=${selector}; ${spec.tags ?? ""}\r\n` +
		`\th=${spec.h ?? "from:to:subject"}; bh=${bh};\r\n\tb=`;
	const canonical = (field: string) =>
		relaxed ? relaxedHeader(field) : field.replace(/\r\n$/, "");
	const data = Buffer.from(
		spec.signed.map((field) => `${canonical(field)}\r\n`).join("") +
			canonical(unsigned),
		"latin1",
	);
	const b =
		algorithm === "ed25519-sha256"
			? sign(null, createHash("sha256").update(data).digest(), key)
			: sign(algorithm === "rsa-sha1" ? "sha1" : "sha256", data, key);
	const b64 = b.toString("base64");
	return `${unsigned}${b64.slice(0, 50)}\r\n\t${b64.slice(50)}\r\n`;
}

const FROM = "From: DMARC Reports <dmarc-reports@example.org>\r\n";
const TO = "To: rua@bounce.test\r\n";
const SUBJECT =
	"Subject: Report Domain: example.org Submitter: example.org\r\n Report-ID: <42@example.org>\r\n";
const DATE = "Date: Sat, 28 Nov 2026 06:43:22 +0000\r\n";
const HEADERS = [FROM, TO, SUBJECT, DATE];
const BODY =
	"This is a DMARC aggregate report.  \r\n\r\nSee the attachment.\r\n\r\n";

function message(signatureField: string, headers = HEADERS, body = BODY) {
	return `${signatureField}${headers.join("")}\r\n${body}`;
}

/** Bytes of a latin1 string: each char one byte, as on the wire. */
function raw(text: string): Uint8Array {
	return Buffer.from(text, "latin1");
}

async function only(
	text: string,
	keys: DkimKeyLookup = lookup,
	now?: Date,
): Promise<DkimResult> {
	const results = await verifyDkim(raw(text), keys, now ? { now } : {});
	expect(results).toHaveLength(1);
	return results[0] as DkimResult;
}

async function outcome(text: string, keys: DkimKeyLookup = lookup) {
	const { verdict, bodyHash } = await only(text, keys);
	return [verdict, bodyHash];
}

const signedRelaxed = message(
	signature({ signed: [FROM, TO, SUBJECT], body: BODY }),
);

describe("verifyDkim: RFC 8463 Appendix A known answer", () => {
	// RFC 8463 A.3, byte for byte; keys from A.2. Signed by the RFC's authors, not by this file.
	const RFC8463 = [
		"DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;",
		" d=football.example.com; i=@football.example.com;",
		" q=dns/txt; s=brisbane; t=1528637909; h=from : to :",
		" subject : date : message-id : from : subject : date;",
		" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;",
		" b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus",
		" Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==",
		"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;",
		" d=football.example.com; i=@football.example.com;",
		" q=dns/txt; s=test; t=1528637909; h=from : to : subject :",
		" date : message-id : from : subject : date;",
		" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;",
		" b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3",
		" DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz",
		" dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=",
		"From: Joe SixPack <joe@football.example.com>",
		"To: Suzie Q <suzie@shopping.example.net>",
		"Subject: Is dinner ready?",
		"Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)",
		"Message-ID: <20030712040037.46341.5F8J@football.example.com>",
		"",
		"Hi.",
		"",
		"We lost the game.  Are you hungry yet?",
		"",
		"Joe.",
		"",
		"",
	].join("\r\n");
	const rfcKeys = lookupFrom({
		"brisbane._domainkey.football.example.com":
			"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
		"test._domainkey.football.example.com":
			"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR" +
			"iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC" +
			"DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3" +
			"Ip3G+2kryOTIKT+l/K4w3QIDAQAB",
	});

	test("both signatures pass, body hash matches", async () => {
		expect(await verifyDkim(raw(RFC8463), rfcKeys)).toEqual(
			["brisbane", "test"].map((selector) => ({
				domain: "football.example.com",
				selector,
				identity: "@football.example.com",
				verdict: "pass",
				reason: "signature verified",
				bodyHash: "match",
				signedHeaders: [
					"from",
					"to",
					"subject",
					"date",
					"message-id",
					"from",
					"subject",
					"date",
				],
				signedFields: [
					"From: Joe SixPack <joe@football.example.com>",
					"To: Suzie Q <suzie@shopping.example.net>",
					"Subject: Is dinner ready?",
					"Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)",
					"Message-ID: <20030712040037.46341.5F8J@football.example.com>",
				],
			})),
		);
	});

	test("headers only, LF line ends, a changed body, a changed header", async () => {
		const verdicts = async (text: string) =>
			(await verifyDkim(raw(text), rfcKeys)).map((r) => [
				r.verdict,
				r.bodyHash,
			]);
		const headers = RFC8463.slice(0, RFC8463.indexOf("\r\n\r\n") + 2);
		expect(await verdicts(headers)).toEqual([
			["pass", "unchecked"],
			["pass", "unchecked"],
		]);
		expect(await verdicts(RFC8463.replace(/\r\n/g, "\n"))).toEqual([
			["pass", "match"],
			["pass", "match"],
		]);
		expect(await verdicts(RFC8463.replace("hungry", "angry"))).toEqual([
			["pass", "mismatch"],
			["pass", "mismatch"],
		]);
		expect(await verdicts(RFC8463.replace("dinner", "lunch"))).toEqual([
			["fail", "match"],
			["fail", "match"],
		]);
		// From is signed twice (oversigned): a From added on top is a changed header
		expect(
			await verdicts(
				RFC8463.replace("From: Joe", "From: M <m@evil.test>\r\nFrom: Joe"),
			),
		).toEqual([
			["fail", "match"],
			["fail", "match"],
		]);
	});
});

describe("verifyDkim: generated keys", () => {
	test("relaxed/relaxed, RSA-2048 and Ed25519", async () => {
		expect(await only(signedRelaxed)).toEqual({
			domain: "example.org",
			selector: "rsa",
			identity: "@example.org",
			verdict: "pass",
			reason: "signature verified",
			bodyHash: "match",
			signedHeaders: ["from", "to", "subject"],
			signedFields: [
				"From: DMARC Reports <dmarc-reports@example.org>",
				"To: rua@bounce.test",
				"Subject: Report Domain: example.org Submitter: example.org Report-ID: <42@example.org>",
			],
		});
		const edSigned = message(
			signature({
				algorithm: "ed25519-sha256",
				signed: [FROM, TO, SUBJECT],
				body: BODY,
			}),
		);
		expect(await outcome(edSigned)).toEqual(["pass", "match"]);
	});

	test("simple/simple: exact bytes, original folding kept", async () => {
		const text = message(
			signature({
				canon: "simple/simple",
				signed: [FROM, TO, SUBJECT],
				body: BODY,
			}),
		);
		expect(await outcome(text)).toEqual(["pass", "match"]);
		// refolding breaks simple but not relaxed
		const refold = (t: string) =>
			t.replace("example.org\r\n Report-ID", "example.org Report-ID");
		expect(await outcome(refold(text))).toEqual(["fail", "match"]);
		expect(await outcome(refold(signedRelaxed))).toEqual(["pass", "match"]);
		// trailing white space in the body: simple counts it, relaxed does not
		expect(await outcome(text.replace("report.  ", "report."))).toEqual([
			"pass",
			"mismatch",
		]);
		expect(
			await outcome(signedRelaxed.replace("report.  ", "report.")),
		).toEqual(["pass", "match"]);
	});

	test("relaxed header: case, white space and folding changed in transit", async () => {
		const text = signedRelaxed
			.replace("From: DMARC", "FROM:\tDMARC  ")
			.replace("To: rua@bounce.test", "To:\r\n  rua@bounce.test   ");
		expect(await outcome(text)).toEqual(["pass", "match"]);
	});

	test("headers only: body missing -> pass, body hash unchecked", async () => {
		const headers = signedRelaxed.slice(
			0,
			signedRelaxed.indexOf("\r\n\r\n") + 2,
		);
		expect(await outcome(headers)).toEqual(["pass", "unchecked"]);
		// text/rfc822-headers often ends with the blank line, or without a final CRLF
		expect(await outcome(`${headers}\r\n`)).toEqual(["pass", "unchecked"]);
		expect(await outcome(headers.slice(0, -2))).toEqual(["pass", "unchecked"]);
	});

	test("an empty body is checked when its hash matches", async () => {
		const text = message(
			signature({ signed: [FROM, TO, SUBJECT], body: "" }),
			HEADERS,
			"",
		);
		expect(await outcome(text)).toEqual(["pass", "match"]);
	});

	test("a changed body: body hash mismatch, header verdict still pass", async () => {
		expect(
			await outcome(signedRelaxed.replace("attachment", "attachments")),
		).toEqual(["pass", "mismatch"]);
		// a truncated body (a bounce that returned only the start) also mismatches
		expect(
			await outcome(signedRelaxed.slice(0, signedRelaxed.indexOf("See the"))),
		).toEqual(["pass", "mismatch"]);
	});

	test("a changed signed header fails; an added unsigned one does not", async () => {
		expect(
			await outcome(
				signedRelaxed.replace("rua@bounce.test", "ceo@customer.test"),
			),
		).toEqual(["fail", "match"]);
		expect(
			await outcome(
				signedRelaxed.replace(DATE, "Date: Sun, 1 Jan 2027 00:00:00 +0000\r\n"),
			),
		).toEqual(["pass", "match"]);
		expect(
			await outcome(signedRelaxed.replace(FROM, `X-Added: yes\r\n${FROM}`)),
		).toEqual(["pass", "match"]);
		// a changed signature field: its b= value, or another tag
		expect(await outcome(signedRelaxed.replace("\tb=", "\tb=AAAA"))).toEqual([
			"fail",
			"match",
		]);
		expect(
			await outcome(signedRelaxed.replace("\ts=rsa; ", "\ts=rsa; t=1; ")),
		).toEqual(["fail", "match"]);
	});

	test("repeated headers are taken from the bottom up; missing ones sign as null", async () => {
		const top = "Received: from a.test\r\n";
		const bottom = "Received: from b.test\r\n";
		const headers = [top, bottom, FROM, TO];
		// h= names received once: the signer saw the bottom one
		const once = message(
			signature({ h: "from:received", signed: [FROM, bottom], body: BODY }),
			headers,
		);
		expect(await outcome(once)).toEqual(["pass", "match"]);
		expect(await outcome(once.replace("a.test", "x.test"))).toEqual([
			"pass",
			"match",
		]);
		expect(await outcome(once.replace("b.test", "x.test"))).toEqual([
			"fail",
			"match",
		]);
		// h= names x-tag three times with two present: the third is null, so a third one
		// added later (on top) is caught (oversigning)
		const tagged = [FROM, "X-Tag: 1\r\n", "X-Tag: 2\r\n"];
		const over = message(
			signature({
				h: "from:x-tag:x-tag:x-tag",
				signed: [FROM, "X-Tag: 2\r\n", "X-Tag: 1\r\n"],
				body: BODY,
			}),
			tagged,
		);
		expect(await outcome(over)).toEqual(["pass", "match"]);
		expect(await outcome(over.replace(FROM, `X-Tag: 0\r\n${FROM}`))).toEqual([
			"fail",
			"match",
		]);
		// a To added on top after signing: the signature still verifies, but the field it
		// covers is the bottom one (RFC 6376 §5.4.2), which is all signedFields reports
		const signedTo = message(
			signature({ h: "from:to", signed: [FROM, TO], body: BODY }),
		);
		const added = await only(
			signedTo.replace(FROM, `To: victim@victim.test\r\n${FROM}`),
		);
		expect([added.verdict, added.signedFields]).toEqual([
			"pass",
			[
				"From: DMARC Reports <dmarc-reports@example.org>",
				"To: rua@bounce.test",
			],
		]);
		// names in h= are case-insensitive
		const upper = message(
			signature({ h: "From:TO", signed: [FROM, TO], body: BODY }),
		);
		expect(await outcome(upper)).toEqual(["pass", "match"]);
	});

	test("a signature over another signature: the inner one verifies", async () => {
		const inner = signature({ signed: [FROM, TO, SUBJECT], body: BODY });
		const outer = signature({
			algorithm: "ed25519-sha256",
			h: "from:dkim-signature:dkim-signature",
			signed: [FROM, inner],
			body: BODY,
		});
		const results = await verifyDkim(raw(`${outer}${message(inner)}`), lookup);
		// mailauth does not verify a signature that signs DKIM-Signature fields (rare, and
		// never one of our reports'); the inner one still verifies
		expect(results.map((r) => [r.selector, r.verdict])).toEqual([
			["ed", "fail"],
			["rsa", "pass"],
		]);
	});

	test("LF-only input (Postfix pipe) verifies as CRLF", async () => {
		for (const canon of ["relaxed/relaxed", "simple/simple"] as const) {
			const text = message(
				signature({ canon, signed: [FROM, TO, SUBJECT], body: BODY }),
			);
			expect(await outcome(text.replace(/\r\n/g, "\n"))).toEqual([
				"pass",
				"match",
			]);
		}
	});

	test("8-bit header bytes keep their bytes", async () => {
		const subject = `Subject: ${Buffer.from("Grüße ✓", "utf8").toString("latin1")} \xff\r\n`;
		for (const canon of ["relaxed/relaxed", "simple/simple"] as const) {
			const text = message(
				signature({
					canon,
					signed: [FROM, subject],
					h: "from:subject",
					body: BODY,
				}),
				[FROM, subject],
			);
			expect(await outcome(text)).toEqual(["pass", "match"]);
		}
	});

	test("l= body length: appended text still matches; headers only is unchecked", async () => {
		const length = relaxedBody(BODY).length;
		const text = message(
			signature({
				signed: [FROM, TO, SUBJECT],
				body: BODY,
				tags: `l=${length};`,
			}),
		);
		expect(await outcome(text)).toEqual(["pass", "match"]);
		expect(await outcome(`${text}Appended.\r\n`)).toEqual(["pass", "match"]);
		expect(await outcome(text.slice(0, text.indexOf("\r\n\r\n") + 2))).toEqual([
			"pass",
			"unchecked",
		]);
		expect(await outcome(text.slice(0, text.indexOf("See the")))).toEqual([
			"pass",
			"mismatch",
		]);
	});

	test("i= within d=; t=s on the key refuses a subdomain", async () => {
		const withI = (i: string) =>
			message(
				signature({ signed: [FROM, TO, SUBJECT], body: BODY, tags: `i=${i};` }),
			);
		const sub = withI("dmarc@reports.example.org");
		expect(await only(sub)).toMatchObject({
			verdict: "pass",
			identity: "dmarc@reports.example.org",
		});
		expect(await only(withI("@example.org.evil.test"))).toMatchObject({
			verdict: "permerror",
			reason: "domain mismatch",
		});
		expect(await only(withI("@xexample.org"))).toMatchObject({
			verdict: "permerror",
		});
		const strict = lookupFrom({
			"rsa._domainkey.example.org": `${KEYS["rsa._domainkey.example.org"]}; t=s`,
		});
		expect(await only(sub, strict)).toMatchObject({ verdict: "permerror" });
		expect(await only(withI("@example.org"), strict)).toMatchObject({
			verdict: "pass",
		});
		const testing = lookupFrom({
			"rsa._domainkey.example.org": `${KEYS["rsa._domainkey.example.org"]}; t=y`,
		});
		expect(await only(signedRelaxed, testing)).toMatchObject({
			verdict: "pass",
			reason: "signature verified; key in testing mode (t=y)",
		});
	});

	test("x= expiry against now (RFC 6376 §6.1.1: PERMFAIL signature expired)", async () => {
		const t = 1_790_000_000;
		const text = message(
			signature({
				signed: [FROM, TO, SUBJECT],
				body: BODY,
				tags: `t=${t}; x=${t + 3600};`,
			}),
		);
		expect(await only(text, lookup, new Date((t + 60) * 1000))).toMatchObject({
			verdict: "pass",
		});
		expect(await only(text, lookup, new Date((t + 7200) * 1000))).toMatchObject(
			{
				verdict: "permerror",
				reason: "expired",
			},
		);
		const backwards = message(
			signature({
				signed: [FROM, TO, SUBJECT],
				body: BODY,
				tags: `t=${t}; x=${t - 1};`,
			}),
		);
		expect(await only(backwards, lookup, new Date(t * 1000))).toMatchObject({
			verdict: "permerror",
			reason: "invalid expiration",
		});
	});

	test("From not in h= -> permerror", async () => {
		const text = message(
			signature({ h: "to:subject", signed: [TO, SUBJECT], body: BODY }),
		);
		expect(await only(text)).toMatchObject({
			verdict: "permerror",
			reason: "From field not signed",
			signedHeaders: ["to", "subject"],
		});
	});

	test("rsa-sha1 -> permerror (RFC 8301 §3.1), valid or not", async () => {
		const text = message(
			signature({
				algorithm: "rsa-sha1",
				signed: [FROM, TO, SUBJECT],
				body: BODY,
			}),
		);
		expect(await only(text)).toMatchObject({
			verdict: "permerror",
			reason: "weak algorithm",
		});
	});

	test("a 512-bit RSA key -> permerror (RFC 8301 §3.2)", async () => {
		const weak = generateKeyPairSync("rsa", { modulusLength: 512 });
		const text = message(
			signature({
				key: weak.privateKey,
				selector: "weak",
				signed: [FROM, TO, SUBJECT],
				body: BODY,
			}),
		);
		const keys = lookupFrom({
			"weak._domainkey.example.org": rsaRecord(weak.publicKey),
		});
		expect(await only(text, keys)).toMatchObject({
			verdict: "permerror",
			reason: "weak-key",
		});
	});

	test("revoked key (empty p=) -> permerror", async () => {
		const keys = lookupFrom({
			"rsa._domainkey.example.org": "v=DKIM1; k=rsa; p=",
		});
		expect(await only(signedRelaxed, keys)).toMatchObject({
			verdict: "permerror",
			reason: "invalid public key",
		});
	});

	test("missing key -> permerror; a lookup that fails now -> temperror", async () => {
		expect(await only(signedRelaxed, lookupFrom({}))).toMatchObject({
			verdict: "permerror",
			reason: "no key",
		});
		const servfail: DkimKeyLookup = async () => {
			throw new Error("DNS TXT rsa._domainkey.example.org: ESERVFAIL");
		};
		expect(await only(signedRelaxed, servfail)).toMatchObject({
			verdict: "temperror",
			reason: "DNS failure: DNS TXT rsa._domainkey.example.org: ESERVFAIL",
		});
	});

	test("key records that do not fit -> permerror", async () => {
		const record = (text: string) =>
			lookupFrom({ "rsa._domainkey.example.org": text });
		for (const text of [
			edRecord(ed.publicKey).replace("k=ed25519", "k=rsa"),
			rsaRecord(rsa.publicKey).replace("k=rsa", "k=ed25519"),
			`${rsaRecord(rsa.publicKey)}; h=sha1`,
			`${rsaRecord(rsa.publicKey)}; s=tlsrpt`,
			rsaRecord(rsa.publicKey).replace("v=DKIM1", "v=DKIM2"),
			`k=rsa; v=DKIM1; ${rsaRecord(rsa.publicKey).slice(16)}`,
			"v=DKIM1; k=rsa; p=not*base64",
			"v=DKIM1; k=rsa",
			"v=DKIM1; k=dsa; p=AAAA",
			"garbage",
		])
			expect(await only(signedRelaxed, record(text))).toMatchObject({
				verdict: "permerror",
			});
		// an Ed25519 key where the signature says rsa-sha256
		expect(
			await only(signedRelaxed, record(edRecord(ed.publicKey))),
		).toMatchObject({
			verdict: "permerror",
			reason: "inappropriate key algorithm",
		});
		// without v= and k= (both optional), folded p=, PKCS#1 instead of SPKI: accepted
		const p = rsaRecord(rsa.publicKey).slice("v=DKIM1; k=rsa; p=".length);
		const pkcs1 = rsa.publicKey
			.export({ type: "pkcs1", format: "der" })
			.toString("base64");
		for (const text of [
			`p=${p.slice(0, 100)} \r\n\t${p.slice(100)}`,
			`v=DKIM1; p=${pkcs1}; s=email:*; t=x; h=sha1:sha256`,
		])
			expect(await only(signedRelaxed, record(text))).toMatchObject({
				verdict: "pass",
			});
	});

	test("malformed signatures never pass; what could be read is reported", async () => {
		const cases: [string, string][] = [
			["v=1;", "v=2;"],
			["a=rsa-sha256", "a=rsa-md5"],
			["c=relaxed/relaxed", "c=relaxed/fancy"],
			["d=example.org", "d=example..org"],
			["\ts=rsa; ", "\ts=rsa; s=rsa; "],
			["\ts=rsa; ", "\ts=rsa; q=http/well-known; "],
			["\ts=rsa; ", "\ts=rsa; l=ten; "],
			["h=from:to:subject", "h=from::subject"],
			["bh=", "bh=!"],
		];
		for (const [from, to] of cases) {
			const text = signedRelaxed.replace(from, to);
			expect(text).not.toBe(signedRelaxed);
			expect((await only(text)).verdict).not.toBe("pass");
		}
		const noBh = signedRelaxed.replace(/bh=[^;]*;/, "");
		expect(await only(noBh)).toMatchObject({
			verdict: "permerror",
			reason: "signature missing required tag",
			domain: "example.org",
			selector: "rsa",
		});
	});

	test("bounded work: maxSignatures, header block cap", async () => {
		const three = `${signature({ signed: [FROM], h: "from", body: BODY })}${signature({ signed: [FROM, TO], h: "from:to", body: BODY })}${signedRelaxed}`;
		expect(await verifyDkim(raw(three), lookup)).toHaveLength(3);
		// more signatures than the cap: none is verified, no key is looked up
		const two = await verifyDkim(raw(three), lookup, { maxSignatures: 2 });
		expect(two.map((r) => [r.reason, r.verdict])).toEqual([
			["over 2 DKIM-Signature fields", "permerror"],
		]);
		let lookups = 0;
		const counting: DkimKeyLookup = async (s, d) => {
			lookups++;
			return lookup(s, d);
		};
		await verifyDkim(raw(three), counting);
		expect(lookups).toBe(1);
		const filler = `X-Filler: ${"x".repeat(300 * 1024)}\r\n`;
		const huge = signedRelaxed.replace(FROM, `${filler}${FROM}`);
		expect(await only(huge)).toMatchObject({
			verdict: "permerror",
			reason: "header block over 262144 bytes",
			bodyHash: "unchecked",
		});
		expect(
			await verifyDkim(raw("no signature: here\r\n\r\nbody\r\n"), lookup),
		).toEqual([]);
		expect(await verifyDkim(new Uint8Array(), lookup)).toEqual([]);
	});
});

describe("key records", () => {
	test("key record t=s and t=y", () => {
		const parsed = parseKeyRecord(`${edRecord(ed.publicKey)}; t=y:s`);
		expect(
			parsed.ok && [parsed.key.type, parsed.key.strict, parsed.key.testing],
		).toEqual(["ed25519", true, true]);
	});
});

describe("key lookups", () => {
	const dir = mkdtempSync(join(tmpdir(), "dkim-keys-"));
	afterAll(() => rmSync(dir, { recursive: true, force: true }));
	const file = (name: string, text: string) => {
		const path = join(dir, name);
		writeFileSync(path, text);
		return path;
	};
	const txt = file("rsa.txt", `${rsaRecord(rsa.publicKey)}\n`);
	const p = rsaRecord(rsa.publicKey).slice("v=DKIM1; k=rsa; p=".length);
	const zone = file(
		"rsa.zone",
		`rsa._domainkey\tIN\tTXT\t( "v=DKIM1; h=sha256; k=rsa; "\n\t  "p=${p.slice(0, 200)}"\n\t  "${p.slice(200)}" )  ; ----- DKIM key rsa for example.org\n`,
	);
	const rsaPem = file(
		"rsa.pem",
		rsa.publicKey.export({ type: "spki", format: "pem" }).toString(),
	);
	const edPem = file(
		"ed.pem",
		ed.publicKey.export({ type: "spki", format: "pem" }).toString(),
	);
	const edSigned = message(
		signature({
			algorithm: "ed25519-sha256",
			signed: [FROM, TO, SUBJECT],
			body: BODY,
		}),
	);

	test("fileKeyLookup: TXT record, zone-file line, PEM (RSA and Ed25519)", async () => {
		for (const path of [txt, zone, rsaPem]) {
			const keys = fileKeyLookup([`rsa._domainkey.example.org=${path}`]);
			expect(await outcome(signedRelaxed, keys)).toEqual(["pass", "match"]);
			expect(await keys("other", "example.org")).toBeUndefined();
		}
		const keys = fileKeyLookup([
			`rsa._domainkey.EXAMPLE.org=${rsaPem}`,
			`ed._domainkey.example.org=${edPem}`,
		]);
		expect(await outcome(edSigned, keys)).toEqual(["pass", "match"]);
		expect(await outcome(signedRelaxed, keys)).toEqual(["pass", "match"]);
		expect(
			await fileKeyLookup([`ed._domainkey.example.org=${edPem}`])(
				"ed",
				"example.org",
			),
		).toBe(edRecord(ed.publicKey));
	});

	test("fileKeyLookup: bad specs and files throw a clear Error", () => {
		const privatePem = file(
			"private.pem",
			rsa.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
		);
		const junk = file("junk.txt", "hello\n");
		const cases: [string[], RegExp][] = [
			[["rsa.example.org"], /expected selector\._domainkey\.DOMAIN=FILE/],
			[[`example.org=${txt}`], /expected selector\._domainkey\.DOMAIN=FILE/],
			[["rsa._domainkey.example.org="], /expected/],
			[[`rsa._domainkey.exa mple.org=${txt}`], /expected/],
			[
				[`rsa._domainkey.example.org=${join(dir, "missing")}`],
				/cannot read it \(ENOENT\)/,
			],
			[[`rsa._domainkey.example.org=${privatePem}`], /holds a private key/],
			[[`rsa._domainkey.example.org=${junk}`], /junk\.txt: key record/],
			[
				[
					`rsa._domainkey.example.org=${txt}`,
					`RSA._domainkey.example.org=${txt}`,
				],
				/given twice/,
			],
		];
		for (const [specs, message] of cases)
			expect(() => fileKeyLookup(specs)).toThrow(message);
	});

	test("combineLookups: files first, then DNS; a failure counts only when no one has the key", async () => {
		const files = fileKeyLookup([`rsa._domainkey.example.org=${txt}`]);
		const down: DkimKeyLookup = async () => {
			throw new Error("ETIMEOUT");
		};
		const combined = combineLookups(files, down);
		expect(await outcome(signedRelaxed, combined)).toEqual(["pass", "match"]);
		expect(await only(edSigned, combined)).toMatchObject({
			verdict: "temperror",
			reason: "DNS failure: ETIMEOUT",
		});
		expect(
			await only(edSigned, combineLookups(files, lookupFrom({}))),
		).toMatchObject({ verdict: "permerror" });
		expect(
			await outcome(edSigned, combineLookups(down, files, lookup)),
		).toEqual(["pass", "match"]);
	});

	test("dnsKeyLookup: no query for a name that is not one", async () => {
		const dns = dnsKeyLookup(100);
		expect(typeof dns).toBe("function");
		expect(await dns("bad selector", "example.org")).toBeUndefined();
	});
});
