import { describe, expect, test } from "bun:test";
import {
	parseRecordLine,
	parseYyyymmdd,
	type StoredRecord,
	yyyymmdd,
} from "../../src/state/record.ts";

const FALLBACK = Date.UTC(2024, 5, 1);

const OURS: StoredRecord = {
	report_domain: "example.org",
	action: "failed",
	status: "5.1.1",
	final_rcpt: "rua@mx.example.net",
	orig_rcpt: "rua@example.net",
	diag_code: "smtp; 550 5.1.1 User unknown",
	date: "20240101",
	time: "2024-01-01T12:34:56.000Z",
	queue_id: "4A1B216A048",
	reporting_mta: "mail.sender.test",
	remote_mta: "mx.example.net",
	detector: "rfc3464",
	cause: "recipient",
};

/** A line as andreasschulze/dmarc_dsn_processor writes it (json.dumps, local date). */
const ORIGINAL_TOOL =
	'{"action": "failed", "final_rcpt": "rua@example.com", "orig_rcpt": "rua@example.com", "diag_code": "smtp; 550 5.1.1 <rua@example.com>: Recipient address rejected: User unknown", "status": "5.1.1", "report_domain": "example.org", "date": "20240101"}';

describe("parseRecordLine", () => {
	test("our own record: address from orig_rcpt, time from the ISO timestamp", () => {
		expect(parseRecordLine(JSON.stringify(OURS), FALLBACK)).toEqual({
			address: "rua@example.net",
			action: "failed",
			status: "5.1.1",
			diagnostic: "smtp; 550 5.1.1 User unknown",
			cause: "recipient",
			at: Date.UTC(2024, 0, 1, 12, 34, 56),
		});
	});

	test("the original tool's record: date YYYYMMDD is midnight UTC", () => {
		expect(parseRecordLine(ORIGINAL_TOOL, FALLBACK)).toMatchObject({
			address: "rua@example.com",
			action: "failed",
			status: "5.1.1",
			at: Date.UTC(2024, 0, 1),
		});
	});

	test("the original tool also recorded successes; the action is kept as written", () => {
		const line =
			'{"action": "delivered", "final_rcpt": "ok@example.com", "orig_rcpt": "ok@example.com", "diag_code": null, "status": "2.0.0", "report_domain": "example.org", "date": "20240101"}';
		expect(parseRecordLine(line, FALLBACK)?.action).toBe("delivered");
	});

	test("final_rcpt when orig_rcpt is missing, null or empty", () => {
		for (const orig of ['"orig_rcpt": null, ', '"orig_rcpt": "", ', ""]) {
			const line = `{${orig}"final_rcpt": "rua@example.net", "action": "failed", "date": "20240101"}`;
			expect(parseRecordLine(line, FALLBACK)?.address).toBe("rua@example.net");
		}
	});

	test("no address at all gives an undefined address, not a throw", () => {
		expect(
			parseRecordLine('{"action": "failed", "date": "20240101"}', FALLBACK)
				?.address,
		).toBeUndefined();
		expect(
			parseRecordLine('{"action": "failed", "orig_rcpt": 42}', FALLBACK)
				?.address,
		).toBeUndefined();
	});

	test("an invalid time falls back to the date, no date to the file time", () => {
		expect(
			parseRecordLine(
				'{"action": "failed", "orig_rcpt": "a@example.org", "time": "yesterday", "date": "20240102"}',
				FALLBACK,
			)?.at,
		).toBe(Date.UTC(2024, 0, 2));
		expect(
			parseRecordLine(
				'{"action": "failed", "orig_rcpt": "a@example.org", "date": "unknown"}',
				FALLBACK,
			)?.at,
		).toBe(FALLBACK);
		expect(
			parseRecordLine(
				'{"action": "failed", "orig_rcpt": "a@example.org"}',
				FALLBACK,
			)?.at,
		).toBe(FALLBACK);
	});

	test("a missing action reads as empty", () => {
		expect(
			parseRecordLine('{"orig_rcpt": "a@example.org"}', FALLBACK)?.action,
		).toBe("");
	});

	test("a line torn by a crash, followed by a whole record on the same line", () => {
		const torn = JSON.stringify(OURS).slice(0, 57);
		const line = `${torn}${ORIGINAL_TOOL}`;
		expect(() => JSON.parse(line)).toThrow();
		expect(parseRecordLine(line, FALLBACK)).toMatchObject({
			address: "rua@example.com",
			action: "failed",
			status: "5.1.1",
			at: Date.UTC(2024, 0, 1),
		});
	});

	test("a torn line alone is skipped", () => {
		expect(
			parseRecordLine(JSON.stringify(OURS).slice(0, 80), FALLBACK),
		).toBeUndefined();
	});

	test.each([
		["empty", ""],
		["text", "not json at all"],
		["array", '["failed", "a@example.org"]'],
		["string", '"failed"'],
		["number", "42"],
		["null", "null"],
		["NUL bytes", "\u0000\u0000\u0000"],
		["half an object", '{"action": '],
	])("garbage (%s) gives undefined", (_, line) => {
		expect(parseRecordLine(line, FALLBACK)).toBeUndefined();
	});
});

describe("yyyymmdd / parseYyyymmdd", () => {
	test("UTC date round trip", () => {
		const at = Date.UTC(2024, 1, 29, 23, 59, 59);
		expect(yyyymmdd(new Date(at))).toBe("20240229");
		expect(parseYyyymmdd("20240229")).toBe(Date.UTC(2024, 1, 29));
	});

	test.each([[""], ["2024-01-01"], ["2024011"], ["202401011"], ["unknown"]])(
		"rejects %p",
		(value) => {
			expect(parseYyyymmdd(value)).toBeUndefined();
		},
	);
});

describe("parseYyyymmdd rejects impossible dates", () => {
	test.each([["20240230"], ["20241301"], ["20240000"]])("%p", (value) => {
		expect(parseYyyymmdd(value)).toBeUndefined();
	});
	test("a leap day is a date", () => {
		expect(parseYyyymmdd("20240229")).toBe(Date.UTC(2024, 1, 29));
	});
});
