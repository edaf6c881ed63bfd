// Issue 11 item 1, "when the returned headers name the report's recipients, only those can
// be recorded": a bounce whose returned original is recognisably one of our DMARC aggregate
// reports (the report came back as an attachment: RFC 7489 §7.2.1.1 file name, or report
// XML) and whose To/Cc name its rua addresses records only failed recipients named there;
// any other failed address is held as `not-a-recipient`, and a message that records
// nothing else is quarantined with that reason. Other bounces keep the generic rule.
import { describe, expect, test } from "bun:test";
import { base64Lines, reportGzip } from "../scripts/bench/messages.ts";
import { type Decision, decide, recorded } from "../src/decide.ts";
import type { TrustOptions } from "../src/trust/proof.ts";
import { makeDsn, REPORT_SUBJECT, type RecipientSpec } from "./support/dsn.ts";

const SENDER = "dmarc-reports@sender.test";
const FROM = `From: DMARC Reports <${SENDER}>`;
const ID = "Message-ID: <1234@sender.test>";
const NAME = "sender.test!example.org!1704067200!1704153599.xml.gz";

/**
 * A DSN whose returned original (message/rfc822) is the report itself: `headers`, then a
 * gzip report attachment named `filename` (null: no name, found by its XML).
 */
function returnedReport(
	recipients: readonly RecipientSpec[],
	headers: readonly string[],
	filename: string | null = NAME,
): string {
	const boundary = "R.1/sender.test";
	const disposition =
		filename === null ? "attachment" : `attachment; filename="${filename}"`;
	const returned = [
		...headers,
		"MIME-Version: 1.0",
		`Content-Type: multipart/mixed; boundary="${boundary}"`,
		"",
		`--${boundary}`,
		"Content-Type: application/gzip",
		`Content-Disposition: ${disposition}`,
		"Content-Transfer-Encoding: base64",
		"",
		base64Lines(reportGzip("example.org")),
		`--${boundary}--`,
	];
	return makeDsn({
		recipients,
		returnedHeaders: `${returned.join("\n")}\n`,
	}).replace(
		"Content-Type: text/rfc822-headers",
		"Content-Type: message/rfc822",
	);
}

/** A DSN that returns only the headers of the original (text/rfc822-headers). */
function returnedHeaders(
	recipients: readonly RecipientSpec[],
	headers: readonly string[],
): string {
	return makeDsn({ recipients, returnedHeaders: `${headers.join("\n")}\n` });
}

const REPORT = (to: string) => [FROM, to, `Subject: ${REPORT_SUBJECT}`, ID];

function judge(
	message: string,
	extension = "",
	trust?: TrustOptions,
): Promise<Decision> {
	return decide(new TextEncoder().encode(message), extension, trust);
}

const held = (d: Decision) =>
	d.recipients.map((r) => [r.address, r.suppress, r.hold]);
const written = (d: Decision) =>
	d.outcome === "record"
		? d.recipients.filter(recorded).map((r) => r.address)
		: [];

describe("a returned DMARC report: only its To/Cc can be recorded", () => {
	test("the attack: a report to rua@a.example whose DSN claims victim@b.example failed records nothing", async () => {
		const d = await judge(
			returnedReport(
				[{ address: "victim@b.example" }],
				REPORT("To: rua@a.example"),
			),
		);
		expect([d.outcome, d.reason, written(d)]).toEqual([
			"quarantine",
			"not-a-recipient",
			[],
		]);
		expect(held(d)).toEqual([["victim@b.example", false, "not-a-recipient"]]);
	});

	test("the genuine recipient is recorded (compared as a map key), a second claimed one is held", async () => {
		const d = await judge(
			returnedReport(
				[{ address: "RUA@A.example" }, { address: "victim@b.example" }],
				REPORT("To: <rua@a.example>"),
			),
		);
		expect([d.outcome, d.reason, written(d)]).toEqual([
			"record",
			"failed",
			["rua@a.example"],
		]);
		expect(held(d)[1]).toEqual(["victim@b.example", false, "not-a-recipient"]);
	});

	test("a report found by its XML (no file name) counts as ours too", async () => {
		const d = await judge(
			returnedReport(
				[{ address: "victim@b.example" }],
				REPORT("To: rua@a.example"),
				null,
			),
		);
		expect([d.outcome, d.reason]).toEqual(["quarantine", "not-a-recipient"]);
	});

	test("Cc names a recipient too, in a list with display names", async () => {
		const d = await judge(
			returnedReport(
				[{ address: "second@c.example" }],
				[
					FROM,
					"To: Reports <rua@a.example>",
					"Cc: other@d.example, Second <second@c.example>",
					`Subject: ${REPORT_SUBJECT}`,
					ID,
				],
			),
		);
		expect(written(d)).toEqual(["second@c.example"]);
	});

	test("R9: Original-Recipient (what we sent to) is compared, not the forwarded Final-Recipient", async () => {
		const d = await judge(
			returnedReport(
				[{ address: "mailbox@forward.example", original: "rua@a.example" }],
				REPORT("To: rua@a.example"),
			),
		);
		expect(written(d)).toEqual(["rua@a.example"]);
	});

	test("a forged Original-Recipient that the report was not sent to is held", async () => {
		const d = await judge(
			returnedReport(
				[{ address: "rua@a.example", original: "victim@b.example" }],
				REPORT("To: rua@a.example"),
			),
		);
		expect([d.outcome, d.reason, written(d)]).toEqual([
			"quarantine",
			"not-a-recipient",
			[],
		]);
	});

	test("VERP: the VERP address is the one compared", async () => {
		const genuine = await judge(
			returnedReport(
				[{ address: "someone@a.example" }],
				REPORT("To: rua@a.example"),
			),
			"rua=a.example",
		);
		expect(written(genuine)).toEqual(["rua@a.example"]);
		const forged = await judge(
			returnedReport(
				[{ address: "rua@a.example" }],
				REPORT("To: rua@a.example"),
			),
			"victim=b.example",
		);
		expect([forged.outcome, forged.reason, written(forged)]).toEqual([
			"quarantine",
			"not-a-recipient",
			[],
		]);
	});

	test("a sender-side failure (RFC 7372 §3: 5.7.26) of an address the report was not sent to is held too", async () => {
		const d = await judge(
			returnedReport(
				[{ address: "victim@b.example", status: "5.7.26" }],
				REPORT("To: rua@a.example"),
			),
		);
		expect(written(d)).toEqual([]);
		expect([d.recipients[0]?.cause, d.recipients[0]?.hold]).toEqual([
			"sender",
			"not-a-recipient",
		]);
	});

	test("with --sender, the named recipient of a mixed DSN is recorded and the other held", async () => {
		const trust = { senders: [SENDER], dkim: undefined, requireDkim: false };
		const d = await judge(
			returnedReport(
				[{ address: "rua@a.example" }, { address: "victim@b.example" }],
				REPORT("To: rua@a.example"),
			),
			"",
			trust,
		);
		expect([d.outcome, written(d)]).toEqual(["record", ["rua@a.example"]]);
	});
});

describe("other bounces keep the generic rule", () => {
	test("a returned message that is not a DMARC report: its envelope recipients need not stand in To", async () => {
		const d = await judge(
			returnedHeaders(
				[{ address: "list-member@b.example" }],
				[FROM, "To: list@a.example", "Subject: hello", ID],
			),
		);
		expect(written(d)).toEqual(["list-member@b.example"]);
	});

	test("a report Subject alone does not count by default; --sender holds the returned To/Cc", async () => {
		const message = returnedHeaders(
			[{ address: "victim@b.example" }],
			REPORT("To: rua@a.example"),
		);
		expect(written(await judge(message))).toEqual(["victim@b.example"]);
		const trust = { senders: [SENDER], dkim: undefined, requireDkim: false };
		const d = await judge(message, "", trust);
		expect([d.outcome, d.reason]).toEqual([
			"quarantine",
			"untrusted-not-a-recipient",
		]);
	});

	test("a returned report whose To names no address cannot name its recipients", async () => {
		const d = await judge(
			returnedReport(
				[{ address: "rua@b.example" }],
				REPORT("To: undisclosed-recipients:;"),
			),
		);
		expect(written(d)).toEqual(["rua@b.example"]);
	});
});
