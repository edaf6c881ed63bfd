import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { xFailedRecipients } from "../../src/detect/generic/x-failed-recipients.ts";
import { DETECTORS, detect } from "../../src/detect/index.ts";
import { feedbackReport } from "../../src/detect/standard/arf.ts";
import { autoReply } from "../../src/detect/standard/auto-reply.ts";
import { rfc3464 } from "../../src/detect/standard/rfc3464.ts";
import type { Detection } from "../../src/detect/types.ts";
import { type Message, parseMessage } from "../../src/mail/message.ts";

/** A Postfix-shaped DSN; `headers` are added to the top-level header block. */
function postfixDsn(headers: readonly string[], from: string): string {
	return [
		`From: ${from}`,
		"To: dmarc-reports@sender.test",
		"Subject: Undelivered Mail Returned to Sender",
		...headers,
		"MIME-Version: 1.0",
		'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
		"",
		"--b1",
		"Content-Type: text/plain",
		"",
		"Your message could not be delivered.",
		"",
		"--b1",
		"Content-Type: message/delivery-status",
		"",
		"Reporting-MTA: dns; mail.sender.test",
		"",
		"Final-Recipient: rfc822; rua@example.net",
		"Action: failed",
		"Status: 5.1.1",
		"",
		"--b1",
		"Content-Type: text/rfc822-headers",
		"",
		"Subject: Report Domain: example.org Submitter: sender.test",
		"",
		"--b1--",
		"",
	].join("\n");
}

const addresses = (d: Detection | undefined) =>
	d?.kind === "bounce" ? d.recipients.map((r) => r.address) : undefined;

describe("DETECTORS order (requirements R7)", () => {
	const names = DETECTORS.map(([name]) => name);

	test("every detector is listed once", () => {
		expect(new Set(names).size).toBe(names.length);
		expect(names).toEqual(
			expect.arrayContaining([
				"rfc3464",
				"x-failed-recipients",
				"auto-reply",
				"feedback-report",
			]),
		);
	});

	test("rfc3464 runs before x-failed-recipients and before auto-reply", () => {
		expect(names.indexOf("rfc3464")).toBeLessThan(
			names.indexOf("x-failed-recipients"),
		);
		expect(names.indexOf("rfc3464")).toBeLessThan(names.indexOf("auto-reply"));
		expect(names.indexOf("x-failed-recipients")).toBeLessThan(
			names.indexOf("auto-reply"),
		);
	});
});

describe("detect", () => {
	test("a DSN marked Auto-Submitted: auto-replied is still a bounce", async () => {
		// From a relay, not MAILER-DAEMON: only the order keeps this from auto-reply
		const message = await parseMessage(
			postfixDsn(
				["Auto-Submitted: auto-replied"],
				"Relay <relay@mx.example.com>",
			),
		);
		expect(autoReply(message)?.kind).toBe("ignore");
		const found = detect(message);
		expect(found?.kind).toBe("bounce");
		expect(found?.detector).toBe("rfc3464");
		expect(addresses(found)).toEqual(["rua@example.net"]);
	});

	test("Postfix's own DSN (MAILER-DAEMON, auto-replied) is a bounce", async () => {
		const message = await parseMessage(
			postfixDsn(
				["Auto-Submitted: auto-replied"],
				"Mail Delivery System <MAILER-DAEMON@sender.test>",
			),
		);
		expect(detect(message)?.detector).toBe("rfc3464");
	});

	test("a delivery-status part wins over X-Failed-Recipients", async () => {
		const message = await parseMessage(
			postfixDsn(
				["X-Failed-Recipients: someone-else@example.com"],
				"Mail Delivery System <MAILER-DAEMON@sender.test>",
			),
		);
		expect(addresses(xFailedRecipients(message))).toEqual([
			"someone-else@example.com",
		]);
		const found = detect(message);
		expect(found?.detector).toBe("rfc3464");
		expect(addresses(found)).toEqual(["rua@example.net"]);
	});

	test("X-Failed-Recipients with auto-replied and no DSN part is a bounce", async () => {
		const message = await parseMessage(
			[
				"From: Mail Relay <relay@mx.example.com>",
				"Subject: Mail delivery failed: returning message to sender",
				"Auto-Submitted: auto-replied",
				"X-Failed-Recipients: rua@example.net, <dmarc@example.com>",
				"",
				"This message was created automatically by mail delivery software.",
				"  rua@example.net",
				"    SMTP error from remote mail server after RCPT TO:<rua@example.net>:",
				"    550 5.1.1 User unknown",
				"",
			].join("\n"),
		);
		expect(autoReply(message)?.kind).toBe("ignore");
		const found = detect(message);
		expect(found?.detector).toBe("x-failed-recipients");
		expect(addresses(found)).toEqual(["rua@example.net", "dmarc@example.com"]);
		expect(
			found?.kind === "bounce" ? found.recipients[0]?.status : undefined,
		).toBe("5.1.1");
	});

	test("an ARF feedback report is not a bounce", async () => {
		const message = await parseMessage(
			[
				"From: fbl@example.net",
				"Subject: Abuse report",
				'Content-Type: multipart/report; report-type=feedback-report; boundary="b2"',
				"",
				"--b2",
				"Content-Type: text/plain",
				"",
				"An abuse report.",
				"--b2",
				"Content-Type: message/feedback-report",
				"",
				"Feedback-Type: abuse",
				"Version: 1",
				"",
				"--b2--",
				"",
			].join("\n"),
		);
		expect(detect(message)).toEqual({
			kind: "ignore",
			detector: "feedback-report",
			reason: "feedback-report",
		});
	});

	test.each([
		["Auto-Submitted", ["Auto-Submitted: auto-replied"], "Re: your report"],
		["X-Autoreply", ["X-Autoreply: yes"], "Re: your report"],
		["Precedence auto_reply", ["Precedence: auto_reply"], "Re: your report"],
		[
			"subject Automatic reply",
			[],
			"Automatic reply: Report Domain: example.org",
		],
		["subject Out of Office", [], "Out of Office: back on Monday"],
	])("an auto-reply (%s) is ignored", async (_, headers, subject) => {
		const message = await parseMessage(
			[
				"From: Jane Doe <jane@example.net>",
				`Subject: ${subject}`,
				...headers,
				"",
				"I am away.",
				"",
			].join("\n"),
		);
		expect(detect(message)).toEqual({
			kind: "ignore",
			detector: "auto-reply",
			reason: "auto-reply",
		});
	});

	test("a plain message is nobody's", async () => {
		const message = await parseMessage(
			"From: a@example.net\nSubject: hello\n\nrua@example.net 550 5.1.1\n",
		);
		expect(detect(message)).toBeUndefined();
	});
});

describe("each detector says 'not mine' with undefined", () => {
	const empty: Message = { headers: [], subject: "", text: "", parts: [] };
	test.each(DETECTORS.map(([name, detector]) => [name, detector] as const))(
		"%s",
		(_, detector) => {
			expect(detector(empty)).toBeUndefined();
		},
	);

	test("rfc3464 needs a recipient group", () => {
		const message: Message = {
			...empty,
			parts: [
				{
					mimeType: "message/delivery-status",
					filename: null,
					content: new TextEncoder().encode("Reporting-MTA: dns; a.test\n"),
				},
			],
		};
		expect(rfc3464(message)).toBeUndefined();
		expect(feedbackReport(message)).toBeUndefined();
	});
});

describe("no detector but auto-reply claims ordinary mail or a vacation notice", () => {
	const ordinary = parseMessage(
		[
			"From: someone@example.com",
			"Subject: Re: Report Domain: example.org",
			"",
			"Thanks for the report, forwarded to rua@example.net.",
		].join("\n"),
	);
	const vacation = parseMessage(
		[
			"From: rua@example.net",
			"Subject: Automatic reply: Report Domain: example.org",
			"Auto-Submitted: auto-replied",
			"",
			"I am out of the office until Monday.",
		].join("\n"),
	);
	test.each(DETECTORS.filter(([name]) => name !== "auto-reply"))(
		"%s",
		async (_, detector) => {
			expect(detector(await ordinary)).toBeUndefined();
			expect(detector(await vacation)).toBeUndefined();
		},
	);
	test("auto-reply takes the vacation notice, not the ordinary mail", async () => {
		expect(autoReply(await vacation)?.kind).toBe("ignore");
		expect(autoReply(await ordinary)).toBeUndefined();
	});
});

describe("generic detectors run last", () => {
	const names = DETECTORS.map(([name]) => name);
	test("rfc3464-inline and text-notice come after every specific format and after auto-reply", () => {
		const autoReply = names.indexOf("auto-reply");
		expect(autoReply).toBeGreaterThan(0);
		expect(names.slice(-2)).toEqual(["rfc3464-inline", "text-notice"]);
		expect(names.indexOf("amazon-ses")).toBeLessThan(autoReply);
	});
});

describe("the catalogue: every detector has its own unit test on a fixture", () => {
	const unit = import.meta.dirname;
	for (const name of [...DETECTORS.map(([n]) => n), "verp"]) {
		test(name, () => {
			const file = join(unit, `detect-${name}.test.ts`);
			expect(existsSync(file)).toBe(true);
			// reads at least one fixture of its own from test/fixtures
			expect(readFileSync(file, "utf8")).toMatch(/fixture\("[^"]+\.eml"\)/);
		});
	}
});
