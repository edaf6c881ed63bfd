import { describe, expect, test } from "bun:test";
import { type Cause, classifyCause } from "../../src/policy/cause.ts";

describe("classifyCause", () => {
	test.each<[string | null, string | null, Cause]>([
		// recipient side: the address or its domain is gone, full, unroutable
		[
			"5.1.1",
			"smtp; 550 5.1.1 <rua@example.org>: Recipient address rejected: User unknown",
			"recipient",
		],
		["5.1.10", "smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound", "recipient"],
		["5.2.2", "smtp; 552 5.2.2 Mailbox full", "recipient"],
		["4.2.1", "smtp; 450 4.2.1 Mailbox temporarily unavailable", "recipient"],
		["5.4.4", "X-Postfix; Host or domain name not found", "recipient"],
		["5.7.13", "525 5.7.13 Disabled recipient address", "recipient"],
		["5.7.1", "554 5.7.1 <rua@example.org>: Relay access denied", "recipient"],
		[
			"5.7.1",
			"550 5.7.1 You are not a member of this mailing list",
			"recipient",
		],
		// message side
		["5.3.4", "552 5.3.4 Message size exceeds fixed limit", "message"],
		["5.0.0", "552 message too large", "message"],
		// sender side: our authentication, reputation, rate
		[
			"5.7.26",
			"550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy",
			"sender",
		],
		[
			"5.7.1",
			"554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
			"sender",
		],
		[
			"4.7.0",
			"421 4.7.0 Our system has detected an unusual rate of mail from your IP",
			"sender",
		],
		["5.7.27", "550 5.7.27 sender address has null MX", "sender"],
		["5.7.1", "550 5.7.1 Message rejected as spam", "sender"],
		// unknown
		["5.0.0", "550 Requested action not taken", "unknown"],
		[null, null, "unknown"],
	])("%p %p -> %p", (status, diagnostic, cause) => {
		expect(classifyCause(status, diagnostic)).toBe(cause);
	});

	test("a rua address named like an authentication word is not a DMARC failure", () => {
		expect(
			classifyCause("5.1.1", "550 5.1.1 <dmarc@example.org>: User unknown"),
		).toBe("recipient");
		expect(
			classifyCause("5.2.1", "550 5.2.1 spf-reports@example.org disabled"),
		).toBe("recipient");
		expect(
			classifyCause(
				"5.1.1",
				'550 5.1.1 <"rua..dmarc."@example.jp>: User unknown',
			),
		).toBe("recipient");
	});

	test("text that blames both sides tells neither", () => {
		expect(
			classifyCause(
				"5.0.0",
				"The account or domain may not exist, they may be blacklisted, or missing dns entries",
			),
		).toBe("unknown");
	});
});
