import { describe, expect, test } from "bun:test";
import { decide } from "../../src/decide.ts";

const enc = (lines: readonly string[]) =>
	new TextEncoder().encode(lines.join("\n"));

/** A Postfix-shaped DSN for `rcpt`, with `returned` as its message/rfc822 part. */
function dsn(rcpt: string, returned: readonly string[], b = "d1"): string[] {
	return [
		"From: Mail Delivery System <MAILER-DAEMON@mx.example.net>",
		"To: dmarc-reports@sender.test",
		"Subject: Undelivered Mail Returned to Sender",
		"MIME-Version: 1.0",
		`Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"`,
		"",
		`--${b}`,
		"Content-Type: text/plain",
		"",
		"Your message could not be delivered.",
		`--${b}`,
		"Content-Type: message/delivery-status",
		"",
		"Reporting-MTA: dns; mx.example.net",
		"",
		`Final-Recipient: rfc822; ${rcpt}`,
		"Action: failed",
		"Status: 5.1.1",
		`--${b}`,
		"Content-Type: message/rfc822",
		"",
		...returned,
		`--${b}--`,
	];
}

const REPORT = [
	"From: dmarc-reports@sender.test",
	"To: rua@example.net",
	"Subject: Report Domain: example.org Submitter: sender.test Report-ID: <1@sender.test>",
	"",
	"This is an aggregate report.",
];

/** A message with `top` headers and `attached` as its one message/rfc822 attachment. */
function wrapper(
	top: readonly string[],
	attached: readonly string[],
): string[] {
	return [
		...top,
		"MIME-Version: 1.0",
		'Content-Type: multipart/mixed; boundary="w1"',
		"",
		"--w1",
		"Content-Type: text/plain",
		"",
		"See the attached message.",
		"--w1",
		"Content-Type: message/rfc822",
		"",
		...attached,
		"--w1--",
	];
}

describe("a DSN passed on as an attachment", () => {
	test("is read when no detector reads the notice, with the report domain inside it", async () => {
		const d = await decide(
			enc(
				wrapper(
					["From: MAILER-DAEMON@gateway.example.net", "Subject: Returned mail"],
					dsn("rua@example.net", REPORT),
				),
			),
			"",
		);
		expect([d.outcome, d.detector, d.report_domain]).toEqual([
			"record",
			"rfc3464-forwarded",
			"example.org",
		]);
		expect(d.recipients.map((r) => r.address)).toEqual(["rua@example.net"]);
	});

	test("is not read when a detector recognised the notice (an auto-reply)", async () => {
		const d = await decide(
			enc(
				wrapper(
					[
						"From: rua@example.net",
						"Subject: Out of office",
						"Auto-Submitted: auto-replied",
					],
					dsn("rua@example.net", REPORT),
				),
			),
			"",
		);
		expect([d.outcome, d.reason]).toEqual(["ignore", "auto-reply"]);
	});

	test("R4: a DSN inside a DSN's returned original is never read", async () => {
		const d = await decide(
			enc(dsn("rua@example.net", dsn("ruf@example.com", REPORT, "d2"))),
			"",
		);
		expect(d.outcome).toBe("record");
		expect(d.recipients.map((r) => r.address)).toEqual(["rua@example.net"]);
	});

	test("an attachment that is not itself a multipart/report is not read", async () => {
		const d = await decide(
			enc(
				wrapper(
					["From: MAILER-DAEMON@gateway.example.net", "Subject: Returned mail"],
					[
						"From: someone@example.com",
						"Subject: fwd",
						"",
						...dsn("ruf@example.com", REPORT).slice(5),
					],
				),
			),
			"",
		);
		expect([d.outcome, d.reason]).toEqual(["quarantine", "no-delivery-report"]);
	});
});
