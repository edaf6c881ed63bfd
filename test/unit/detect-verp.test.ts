import { describe, expect, test } from "bun:test";
import { verpNotice } from "../../src/detect/generic/verp.ts";
import { detect } from "../../src/detect/index.ts";
import { fixture, mail, rows } from "../support/detect.ts";

const EXT = "rua=bounce.test";

// a notice that names nobody, from the null sender
const notice = (subject: string, body: string, extra: string[] = []) =>
	mail([
		"Return-Path: <MAILER-DAEMON>",
		"From: Mail Delivery System <MAILER-DAEMON@mx.bounce.test>",
		"To: dmarc-reports+rua=bounce.test@sender.test",
		`Subject: ${subject}`,
		...extra,
		"",
		body,
	]);

describe("verp: the extension as evidence (issue 14 item 1)", () => {
	test("an unreadable failure notice records the VERP address, detector verp", async () => {
		const found = detect(await fixture("verp-04.eml"), EXT);
		expect(found?.detector).toBe("verp");
		expect(rows(found)).toEqual([["rua@bounce.test", "failed", "5.0.0"]]);
	});

	test("a notice that names the VERP address itself", async () => {
		const m = await notice(
			"Undeliverable",
			"Delivery to RUA@bounce.test failed.",
		);
		expect(rows(verpNotice(m, EXT))).toEqual([
			["rua@bounce.test", "failed", "5.0.0"],
		]);
	});

	test("failure wording in other languages", async () => {
		for (const [subject, body] of [
			["Unzustellbar", "Die Nachricht konnte nicht zugestellt werden."],
			["Non remis", "Le message n'a pas pu être remis."],
			["Ваше сообщение не доставлено", "Письмо не может быть доставлено."],
			["配信できませんでした", "メールを配信できませんでした。"],
			["退信", "投递失败"],
		] as const) {
			expect(verpNotice(await notice(subject, body), EXT)?.kind).toBe("bounce");
		}
	});

	test("without a VERP extension, nothing", async () => {
		expect(verpNotice(await fixture("verp-04.eml"), "")).toBeUndefined();
	});

	test("a notice that names only another address is not about ours", async () => {
		const m = await notice(
			"Undeliverable",
			"Delivery to someone@elsewhere.test failed: user unknown.",
		);
		expect(verpNotice(m, EXT)).toBeUndefined();
	});

	test("never a delay warning", async () => {
		expect(verpNotice(await fixture("verp-05.eml"), EXT)).toBeUndefined();
		const m = await notice(
			"Delivery Status Notification (Delay)",
			"Delivery has been delayed.",
		);
		expect(verpNotice(m, EXT)).toBeUndefined();
	});

	test("never a transient failure or a queue that gave up on an unreachable host", async () => {
		for (const [subject, body] of [
			[
				"Returned mail: Cannot send message for 4 days",
				"421 example.com (smtp)... Deferred: Connection timed out",
			],
			[
				"Email Delivery Failure",
				"could not be delivered: 4.4.4 Temporary server error. Please try again later",
			],
		] as const)
			expect(verpNotice(await notice(subject, body), EXT)).toBeUndefined();
	});

	test("never a success DSN", async () => {
		const m = await mail([
			"Return-Path: <MAILER-DAEMON>",
			"From: Mail Delivery System <MAILER-DAEMON@mx.bounce.test>",
			"Subject: Successful Mail Delivery Report",
			'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
			"",
			"--b",
			"Content-Type: text/plain",
			"",
			"Your message was successfully delivered.",
			"--b",
			"Content-Type: message/delivery-status",
			"",
			"Reporting-MTA: dns; mx.bounce.test",
			"",
			"Action: delivered",
			"Status: 2.0.0",
			"--b--",
		]);
		expect(verpNotice(m, EXT)).toBeUndefined();
	});

	test("never an auto-reply", async () => {
		const m = await mail([
			"Return-Path: <rua@bounce.test>",
			"From: Rua <rua@bounce.test>",
			"Subject: Out of office: Report Domain: example.org",
			"Auto-Submitted: auto-replied",
			"",
			"I am away; your message could not be delivered to me in person.",
		]);
		expect(verpNotice(m, EXT)).toBeUndefined();
	});

	test("never a feedback report", async () => {
		const m = await mail([
			"Return-Path: <MAILER-DAEMON>",
			"From: Mail Delivery System <MAILER-DAEMON@mx.bounce.test>",
			"Subject: Undeliverable",
			'Content-Type: multipart/report; report-type=feedback-report; boundary="b"',
			"",
			"--b",
			"Content-Type: text/plain",
			"",
			"Undeliverable.",
			"--b",
			"Content-Type: message/feedback-report",
			"",
			"Feedback-Type: abuse",
			"--b--",
		]);
		expect(verpNotice(m, EXT)).toBeUndefined();
	});

	test("never ordinary mail, even with failure words", async () => {
		const m = await mail([
			"Return-Path: <someone@example.com>",
			"From: Someone <someone@example.com>",
			"Subject: Re: report",
			"",
			"Your report could not be delivered to our team in time.",
		]);
		expect(verpNotice(m, EXT)).toBeUndefined();
	});
});
