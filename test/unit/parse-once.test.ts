// Issue 14 item 5: `decide` parses the message once, and its returned original once,
// however many readers (detection, the report-domain readers, trust) look at it.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decide } from "../../src/decide.ts";
import {
	embedded,
	mimeParses,
	type ParsedMessage,
	parseMessage,
	returnedParts,
} from "../../src/mail/message.ts";
import { quotedSubject } from "../../src/report/index.ts";
import type { TrustOptions } from "../../src/trust/proof.ts";
import { makeDsn, REPORT_SUBJECT } from "../support/dsn.ts";

const fixture = (name: string) =>
	new Uint8Array(
		readFileSync(join(import.meta.dirname, "..", "fixtures", name)),
	);

/** Trust that reads the returned original's headers (the --sender check). */
const SENDER_CHECK: TrustOptions = {
	senders: ["dmarc-reports@sender.test"],
	dkim: undefined,
	requireDkim: false,
};

/** What `run` returns, and how many MIME parses it took. */
async function parsesOf<T>(
	run: () => Promise<T>,
): Promise<{ value: T; parses: number }> {
	const before = mimeParses();
	const value = await run();
	return { value, parses: mimeParses() - before };
}

/** A Postfix DSN with the notice and the delivery status, and nothing returned. */
const NOTHING_RETURNED = `From: Mail Delivery System <MAILER-DAEMON@sender.test>
To: dmarc-reports@sender.test
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The mail system: ${REPORT_SUBJECT}

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.sender.test

Final-Recipient: rfc822; rua@example.net
Action: failed
Status: 5.1.1

--B--
`;

describe("decide parses each part once", () => {
	test("a DSN with nothing returned: one parse", async () => {
		const input = new TextEncoder().encode(NOTHING_RETURNED);
		const { value, parses } = await parsesOf(() => decide(input, ""));
		expect(value.outcome).toBe("record");
		expect(parses).toBe(1);
	});

	test("the typical DSN with its returned original: the bounce and the original, once each", async () => {
		const input = fixture("postfix-01.eml");
		const { value, parses } = await parsesOf(() => decide(input, ""));
		// the report domain came from the returned original's Subject: it was read
		expect(value.report_domain).toBe("example.org");
		expect(value.report_domain_source).toBe("returned subject");
		expect(parses).toBe(2);
	});

	test("trust reads the returned original the report-domain reader parsed", async () => {
		const input = new TextEncoder().encode(
			makeDsn({
				recipients: [{ address: "rua@example.net" }],
				subject: REPORT_SUBJECT,
			}),
		);
		const { value, parses } = await parsesOf(() =>
			decide(input, "", SENDER_CHECK),
		);
		// the --sender check passed: it read From and To of the returned headers
		expect(value.reason).toBe("failed");
		expect(parses).toBe(2);
	});

	test("a DSN forwarded as an attachment: the notice, the DSN in it and its original", async () => {
		const input = fixture("forwarded-01.eml");
		const { value, parses } = await parsesOf(() => decide(input, ""));
		expect(value.detector).toBe("rfc3464-forwarded");
		expect(parses).toBe(3);
	});
});

describe("the returned original", () => {
	test("is parsed on first use only, then the same Message every time", async () => {
		const message = await parseMessage(fixture("postfix-01.eml"));
		const part = returnedParts(message)[0];
		if (!part) throw new Error("the fixture returns its original");
		const { value: first, parses } = await parsesOf(() => message.original);
		expect(first?.subject).toContain("Report Domain: example.org");
		expect(await message.original).toBe(first);
		expect(await embedded(part)).toBe(first as ParsedMessage);
		expect(parses).toBe(1);
	});

	test("is undefined when nothing is returned, without a parse", async () => {
		const message = await parseMessage(NOTHING_RETURNED);
		const { value, parses } = await parsesOf(() => message.original);
		expect(value).toBeUndefined();
		expect(parses).toBe(0);
	});
});

describe("quoted Subject lines read like the parser reads a header", () => {
	test.each([
		["plain", `Subject: ${REPORT_SUBJECT}`],
		[
			"folded",
			"Subject: Report Domain: example.org\r\n\tSubmitter: sender.test",
		],
		["padded", "Subject: \t Report Domain: example.org  \t"],
		[
			"encoded words across a fold",
			"Subject: =?UTF-8?Q?Report_Domain=3A_?=\r\n =?UTF-8?Q?b=C3=BCcher.example?=",
		],
		[
			"Latin-1 encoded word",
			"Subject: =?ISO-8859-1?Q?Report_Domain=3A_b=FCcher.example?=",
		],
		["a stray CR", "Subject: Report Domain:\rexample.org"],
	])("%s", async (_, line) => {
		const parsed = await parseMessage(`${line}\r\n\r\n`);
		expect(quotedSubject(line)).toBe(parsed.subject);
	});
});

test("a spread copy of a parsed message does not parse its original", async () => {
	const message = await parseMessage(fixture("postfix-01.eml"));
	const { parses } = await parsesOf(async () => ({ ...message }));
	expect(parses).toBe(0);
});
