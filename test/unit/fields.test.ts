import { describe, expect, test } from "bun:test";
import { parseDeliveryStatus, stripComments } from "../../src/dsn/fields.ts";

const POSTFIX = `Reporting-MTA: dns; mail.sender.test
X-Postfix-Queue-ID: 4A1B216A048
Arrival-Date: Mon,  1 Jan 2024 00:00:00 +0000 (UTC)

Final-Recipient: rfc822; rua@example.net
Original-Recipient: rfc822;rua@example.net
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <rua@example.net>: Recipient address rejected:
    User unknown

Final-Recipient: rfc822; dmarc@example.com
Action: delayed
Status: 4.4.1
`;

describe("parseDeliveryStatus", () => {
	test("splits per-message fields from one group per recipient", () => {
		const status = parseDeliveryStatus(POSTFIX);
		expect(status.message.get("reporting-mta")).toBe("dns; mail.sender.test");
		expect(status.message.get("x-postfix-queue-id")).toBe("4A1B216A048");
		expect(status.recipients).toHaveLength(2);
		expect(status.recipients[0]?.get("action")).toBe("failed");
		expect(status.recipients[1]?.get("final-recipient")).toBe(
			"rfc822; dmarc@example.com",
		);
		expect(status.recipients[1]?.get("status")).toBe("4.4.1");
	});

	test("unfolds continuation lines (space or TAB) into one value", () => {
		const status = parseDeliveryStatus(POSTFIX);
		expect(status.recipients[0]?.get("diagnostic-code")).toBe(
			"smtp; 550 5.1.1 <rua@example.net>: Recipient address rejected: User unknown",
		);
		const tab = parseDeliveryStatus(
			"Final-Recipient: rfc822; a@example.org\nDiagnostic-Code: smtp; 550\n\tno such\n \tuser\n",
		);
		expect(tab.recipients[0]?.get("diagnostic-code")).toBe(
			"smtp; 550 no such user",
		);
	});

	test("reads CRLF, lone CR and mixed line ends alike", () => {
		const crlf = POSTFIX.replaceAll("\n", "\r\n");
		expect(parseDeliveryStatus(crlf)).toEqual(parseDeliveryStatus(POSTFIX));
		const mixed =
			"Reporting-MTA: dns; a.test\r\n\nFinal-Recipient: rfc822; a@example.org\rAction: failed\r\n";
		const status = parseDeliveryStatus(mixed);
		expect(status.recipients[0]?.get("action")).toBe("failed");
		expect(status.message.get("reporting-mta")).toBe("dns; a.test");
	});

	test("tolerates extra blank lines (also white-space-only) between groups", () => {
		const status = parseDeliveryStatus(
			"\n\nReporting-MTA: dns; a.test\n\n\n \n\t\nFinal-Recipient: rfc822; a@example.org\nAction: failed\n\n\n",
		);
		expect(status.message.get("reporting-mta")).toBe("dns; a.test");
		expect(status.recipients).toHaveLength(1);
	});

	test("lowercases field names of any case", () => {
		const status = parseDeliveryStatus(
			"REPORTING-MTA: dns; a.test\n\nfinal-recipient: rfc822; a@example.org\nACTION: Failed\nStAtUs: 5.1.1\n",
		);
		expect(status.message.get("reporting-mta")).toBe("dns; a.test");
		expect([...(status.recipients[0]?.keys() ?? [])]).toEqual([
			"final-recipient",
			"action",
			"status",
		]);
		expect(status.recipients[0]?.get("action")).toBe("Failed");
	});

	test("keeps unknown X- fields and white space before the colon", () => {
		const status = parseDeliveryStatus(
			"Final-Recipient : rfc822; a@example.org\nX-Vendor-Reason: quota\nAction:failed\n",
		);
		expect(status.recipients[0]?.get("final-recipient")).toBe(
			"rfc822; a@example.org",
		);
		expect(status.recipients[0]?.get("x-vendor-reason")).toBe("quota");
		expect(status.recipients[0]?.get("action")).toBe("failed");
	});

	test("a missing per-message group leaves message empty", () => {
		const status = parseDeliveryStatus(
			"Final-Recipient: rfc822; a@example.org\nAction: failed\n",
		);
		expect(status.message.size).toBe(0);
		expect(status.recipients).toHaveLength(1);
	});

	test("recipient groups without a blank line between them are split", () => {
		const status = parseDeliveryStatus(
			"Final-Recipient: rfc822; a@example.org\nAction: failed\nFinal-Recipient: rfc822; b@example.org\nAction: delayed\n",
		);
		expect(status.recipients.map((g) => g.get("final-recipient"))).toEqual([
			"rfc822; a@example.org",
			"rfc822; b@example.org",
		]);
		expect(status.recipients.map((g) => g.get("action"))).toEqual([
			"failed",
			"delayed",
		]);
	});

	test("the first occurrence of a repeated field wins", () => {
		const status = parseDeliveryStatus(
			"Final-Recipient: rfc822; a@example.org\nAction: failed\nAction: delivered\n",
		);
		expect(status.recipients[0]?.get("action")).toBe("failed");
	});

	test("lines that are not fields are skipped", () => {
		const status = parseDeliveryStatus(
			"this is not a field\nFinal-Recipient: rfc822; a@example.org\n<<garbage>>\nAction: failed\n",
		);
		expect(status.recipients).toHaveLength(1);
		expect(status.recipients[0]?.get("action")).toBe("failed");
	});

	test("empty and garbage input give no recipients", () => {
		expect(parseDeliveryStatus("").recipients).toEqual([]);
		expect(
			parseDeliveryStatus("\u0000\u0001 random\nbytes").recipients,
		).toEqual([]);
	});
});

describe("stripComments", () => {
	test.each([
		["Failed (bad mailbox)", "Failed"],
		["5.1.1 (mailbox unknown)", "5.1.1"],
		["dns; mx.example.net (192.0.2.1)", "dns; mx.example.net"],
		["(leading) failed", "failed"],
		["a (outer (nested) still) b", "a b"],
		[
			'rfc822; "odd (not a comment)"@example.org',
			'rfc822; "odd (not a comment)"@example.org',
		],
		["a \\(escaped\\) b", "a \\(escaped\\) b"],
		["failed  \t(x)\t ", "failed"],
		["unclosed (comment", "unclosed"],
		["", ""],
	])("%p -> %p", (input, output) => {
		expect(stripComments(input)).toBe(output);
	});
});
