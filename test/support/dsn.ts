// Builds small Postfix-style DSNs for the CLI tests, so each test shows the input it needs.

export interface RecipientSpec {
	readonly address: string;
	readonly action?: string;
	readonly status?: string;
	readonly original?: string;
}

export interface DsnSpec {
	readonly recipients: readonly RecipientSpec[];
	/** Subject of the returned report; undefined leaves it out. */
	readonly subject?: string | undefined;
	/** X-Postfix-Sender of the DSN: the envelope sender of the returned message. */
	readonly postfixSender?: string | undefined;
	/** The whole returned header block instead of the default one. */
	readonly returnedHeaders?: string | undefined;
}

export function makeDsn(spec: DsnSpec): string {
	const boundary = "BOUNDARY.test/mail.sender.test";
	const groups = spec.recipients
		.map((r) =>
			[
				`Final-Recipient: rfc822; ${r.address}`,
				`Original-Recipient: rfc822;${r.original ?? r.address}`,
				`Action: ${r.action ?? "failed"}`,
				`Status: ${r.status ?? "5.1.1"}`,
				"Remote-MTA: dns; mx.example.net",
				`Diagnostic-Code: smtp; 550 ${r.status ?? "5.1.1"} <${r.address}>: Recipient address rejected:`,
				"    User unknown",
			].join("\n"),
		)
		.join("\n\n");
	const subject =
		spec.subject === undefined ? "" : `Subject: ${spec.subject}\n`;
	return `Return-Path: <MAILER-DAEMON>
Received: by mail.sender.test (Postfix)
	id 6633316A048; Sat, 28 Nov 2026 06:43:22 +0000 (UTC)
From: Mail Delivery System <MAILER-DAEMON@sender.test>
Subject: Undelivered Mail Returned to Sender
To: dmarc-reports@sender.test
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="${boundary}"

--${boundary}
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.sender.test.

--${boundary}
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.sender.test
X-Postfix-Queue-ID: 344C716A1A1
X-Postfix-Sender: rfc822; ${spec.postfixSender ?? "dmarc-reports@sender.test"}

${groups}

--${boundary}
Content-Type: text/rfc822-headers

${
	spec.returnedHeaders ??
	`From: DMARC Reports <dmarc-reports@sender.test>
To: ${spec.recipients.map((r) => r.original ?? r.address).join(", ")}
${subject}Message-ID: <1234@sender.test>
`
}
--${boundary}--
`;
}

export const REPORT_SUBJECT =
	"Report Domain: example.org Submitter: sender.test Report-ID: <1234@sender.test>";
