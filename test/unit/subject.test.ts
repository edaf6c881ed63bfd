import { describe, expect, test } from "bun:test";
import { parseMessage } from "../../src/mail/message.ts";
import { reportDomainFromSubject } from "../../src/report/subject.ts";

// Every subject form of requirements R13, after unfolding and RFC 2047 decoding
const FORMS: readonly (readonly [
	form: string,
	subject: string,
	domain: string,
])[] = [
	[
		"RFC 7489 §7.2.1.1",
		"Report Domain: example.org Submitter: sender.test Report-ID: 1704067200",
		"example.org",
	],
	[
		"OpenDMARC",
		"Report Domain: example.org Submitter: sender.test Report-ID: <example.org-1704067200@sender.test>",
		"example.org",
	],
	[
		"Google (lower-case d)",
		"Report domain: example.net Submitter: google.com Report-ID: 1234567890123456789",
		"example.net",
	],
	[
		"rspamd folded with TAB, as unfolded by the MIME layer",
		"Report Domain: example.com Submitter: sender.test Report-ID: <example.com.1704067200.1704153599>",
		"example.com",
	],
	[
		"rspamd folded, still with line breaks",
		"Report Domain: example.com\r\n\tSubmitter: sender.test\r\n\tReport-ID: <x@sender.test>",
		"example.com",
	],
	[
		"Mail::DMARC (no space after Report-ID:)",
		"Report Domain: example.org Submitter: mx.sender.test Report-ID:<1704067200.388>",
		"example.org",
	],
	[
		"Report-ID missing",
		"Report Domain: example.org Submitter: sender.test",
		"example.org",
	],
	["Submitter missing too", "Report Domain: example.org", "example.org"],
	[
		"[SPAM?] prefix",
		"[SPAM?] Report Domain: example.org Submitter: sender.test Report-ID: <1@sender.test>",
		"example.org",
	],
	[
		"Fwd: prefix",
		"Fwd: Report Domain: example.org Submitter: sender.test Report-ID: <1@sender.test>",
		"example.org",
	],
	[
		"Re: Fw: prefixes",
		"Re: Fw: Report Domain: example.org Submitter: sender.test",
		"example.org",
	],
	[
		"upper-case domain",
		"Report Domain: EXAMPLE.ORG Submitter: sender.test",
		"example.org",
	],
	[
		"upper-case keywords",
		"REPORT DOMAIN: example.org SUBMITTER: sender.test",
		"example.org",
	],
	[
		"U-label domain",
		"Report Domain: bücher.example Submitter: sender.test",
		"xn--bcher-kva.example",
	],
	[
		"upper-case U-label domain",
		"Report Domain: BÜCHER.example Submitter: sender.test",
		"xn--bcher-kva.example",
	],
	[
		"A-label domain",
		"Report Domain: xn--bcher-kva.example Submitter: sender.test",
		"xn--bcher-kva.example",
	],
	[
		"no space after the colon",
		"Report Domain:example.org Submitter:sender.test",
		"example.org",
	],
	[
		"white space before the colon",
		"Report Domain : example.org Submitter: sender.test",
		"example.org",
	],
	[
		"domain in angle brackets",
		"Report Domain: <example.org> Submitter: sender.test",
		"example.org",
	],
	[
		"domain followed by ;",
		"Report Domain: example.org; Submitter: sender.test",
		"example.org",
	],
	[
		"trailing dot",
		"Report Domain: example.org. Submitter: sender.test",
		"example.org",
	],
	[
		"RFC 8460 TLS-RPT (Report-Domain)",
		"Report-Domain: example.org Submitter: sender.test Report-ID: <1@sender.test>",
		"example.org",
	],
	[
		"quoted in a bounce's text",
		"> Subject: Report Domain: example.org Submitter: sender.test\n> Date: Mon, 01 Jan 2024",
		"example.org",
	],
];

describe("reportDomainFromSubject", () => {
	test.each(FORMS)("%s", (_, subject, domain) => {
		expect(reportDomainFromSubject(subject)).toBe(domain);
	});

	test.each([
		["no report domain", "Undelivered Mail Returned to Sender"],
		["empty", ""],
		["DMARC but no domain field", "DMARC Aggregate Report for example.org"],
		["empty domain", "Report Domain: Submitter: sender.test"],
		[
			"path traversal",
			"Report Domain: ../../etc/passwd Submitter: sender.test",
		],
		["single label", "Report Domain: localhost Submitter: sender.test"],
		["IP address", "Report Domain: 192.0.2.1 Submitter: sender.test"],
		["underscore label", "Report Domain: ex_ample.org Submitter: sender.test"],
		[
			"NUL byte",
			"Report Domain: example.org\u0000.evil.test Submitter: s.test",
		],
		["slash", "Report Domain: example.org/x Submitter: sender.test"],
	])("no domain for %s", (_, subject) => {
		expect(reportDomainFromSubject(subject)).toBeUndefined();
	});
});

describe("RFC 2047 subjects reach reportDomainFromSubject decoded", () => {
	const wrap = (subject: string) =>
		`From: a@sender.test\nSubject: ${subject}\n\nbody\n`;

	test.each([
		[
			"B encoding",
			`=?UTF-8?B?${Buffer.from("Report Domain: example.org Submitter: sender.test").toString("base64")}?=`,
			"example.org",
		],
		[
			"Q encoding",
			"=?UTF-8?Q?Report_Domain=3A_example=2Eorg_Submitter=3A_sender.test?=",
			"example.org",
		],
		[
			"Q encoding folded over two encoded words",
			"=?UTF-8?Q?Report_Domain=3A_example.net_Submitter=3A_?=\n =?UTF-8?Q?sender.test_Report-ID=3A_=3C1@sender.test=3E?=",
			"example.net",
		],
		[
			"B encoding of a U-label",
			`=?UTF-8?B?${Buffer.from("Report Domain: bücher.example Submitter: sender.test").toString("base64")}?=`,
			"xn--bcher-kva.example",
		],
		[
			"ISO-8859-1 Q encoding of a U-label",
			"=?ISO-8859-1?Q?Report_Domain=3A_b=FCcher.example?=",
			"xn--bcher-kva.example",
		],
	])("%s", async (_, encoded, domain) => {
		const message = await parseMessage(wrap(encoded));
		expect(reportDomainFromSubject(message.subject)).toBe(domain);
	});
});
