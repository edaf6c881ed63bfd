import { describe, expect, test } from "bun:test";
import {
	asFailure,
	parseStatus,
	statusClass,
	statusFromText,
} from "../../src/dsn/status.ts";

describe("parseStatus", () => {
	test.each([
		["5.1.1", "5.1.1"],
		[" 5.1.1 ", "5.1.1"],
		["5.7.26", "5.7.26"],
		["5.1.10", "5.1.10"],
		["4.4.7", "4.4.7"],
		["2.0.0", "2.0.0"],
		["5.1.1 (mailbox unknown)", "5.1.1"],
		["(comment first) 5.2.2", "5.2.2"],
		["5.1.1 Bad destination mailbox", "5.1.1"],
		// leading zeros are normalised (RFC 3463 §2: 1*3digit)
		["5.01.001", "5.1.1"],
	])("%p -> %p", (input, output) => {
		expect(parseStatus(input)).toBe(output);
	});

	test.each([
		[undefined],
		[""],
		["3.1.1"],
		["6.0.0"],
		["5.1"],
		["5.1.1.1"],
		["5.1234.1"],
		["550"],
		["smtp; 550 5.1.1"],
		["failed"],
	])("rejects %p", (input) => {
		expect(parseStatus(input)).toBeUndefined();
	});
});

describe("statusFromText", () => {
	test.each([
		["550 5.1.1 <rua@example.net>: Recipient address rejected", "5.1.1"],
		["smtp; 550 5.1.1 User unknown", "5.1.1"],
		[
			"550-5.1.1 The email account that you tried to reach does not exist",
			"5.1.1",
		],
		["Sorry, no mailbox here by that name. (#5.1.1)", "5.1.1"],
		["#5.1.1", "5.1.1"],
		["552 5.2.2 Mailbox full", "5.2.2"],
		["550 5.7.26 Unauthenticated email is not accepted", "5.7.26"],
		// an enhanced code wins over the reply code
		["452 5.2.2 over quota", "5.2.2"],
		// no enhanced code: the reply code's class (RFC 3463 §3.1 X.0.0)
		["550 User unknown", "5.0.0"],
		["smtp; 550 User unknown", "5.0.0"],
		["421", "4.0.0"],
		["421 Service not available", "4.0.0"],
		["554-Rejected", "5.0.0"],
		["250 Ok", "2.0.0"],
	])("%p -> %p", (input, output) => {
		expect(statusFromText(input)).toBe(output);
	});

	test.each([
		[undefined],
		[""],
		["no codes here"],
		// a version number or IP address is not a status code
		["host 192.0.2.1 said: go away"],
		["Postfix 3.7.10 says hello"],
		["Postfix 2.11.3 gave up"],
		["Exim 4.96.2 here"],
		// numbers that are not reply codes
		["queued as 12345"],
		["600 nonsense"],
	])("finds nothing in %p", (input) => {
		expect(statusFromText(input)).toBeUndefined();
	});
});

describe("statusClass", () => {
	test.each<[string | undefined, string | undefined]>([
		["5.1.1", "5"],
		["4.4.7", "4"],
		["2.0.0", "2"],
		[undefined, undefined],
		["", undefined],
		["3.0.0", undefined],
	])("%p -> %p", (input, output) => {
		expect<string | undefined>(statusClass(input)).toBe(output);
	});
});

test("asFailure: no code or a 2.x.x is no status for a failure", () => {
	expect(asFailure(undefined)).toBe("5.0.0");
	expect(asFailure("2.0.0")).toBe("5.0.0");
	expect(asFailure("2.0.0", "4.4.7")).toBe("4.4.7");
	expect(asFailure("5.1.1")).toBe("5.1.1");
	expect(asFailure("4.2.2")).toBe("4.2.2");
});
