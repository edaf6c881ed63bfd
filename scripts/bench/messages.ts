// Postfix-shaped DSNs for the benchmarks, the fuzz seeds and the hostile-input tests:
// multipart/report with the notification, message/delivery-status and the returned
// DMARC report (message/rfc822 with a gzip attachment, or text/rfc822-headers).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

export interface Recipient {
	readonly address: string;
	readonly action?: string;
	readonly status?: string;
}

export interface DsnSpec {
	readonly queueId?: string;
	readonly recipients: readonly Recipient[];
	/** Report domain named in the returned Subject; null leaves the Subject out. */
	readonly domain?: string | null;
	/** The returned original as headers only (text/rfc822-headers). */
	readonly headersOnly?: boolean;
	/** Report attachment bytes (default: a small gzip report); base64-encoded. */
	readonly attachment?: Uint8Array;
	readonly attachmentType?: string;
	/** Attachment file name; null leaves the name out. */
	readonly filename?: string | null;
}

const B64_LINE = 76;

export function base64Lines(bytes: Uint8Array): string {
	const text = Buffer.from(bytes).toString("base64");
	const lines: string[] = [];
	for (let i = 0; i < text.length; i += B64_LINE)
		lines.push(text.slice(i, i + B64_LINE));
	return lines.join("\n");
}

/** A DMARC aggregate report with `records` rows; `stored` keeps the gzip uncompressed. */
export function reportGzip(
	domain: string,
	records = 2,
	stored = false,
): Buffer {
	return gzipSync(reportXml(domain, records), { level: stored ? 0 : 6 });
}

export function reportXml(domain: string, records: number): string {
	const rows: string[] = [];
	for (let i = 0; i < records; i++) {
		const ip = `192.0.${(i >> 8) & 255}.${i & 255}`;
		rows.push(
			`<record><row><source_ip>${ip}</source_ip><count>${(i % 97) + 1}</count>` +
				"<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>" +
				`<identifiers><header_from>${domain}</header_from></identifiers><auth_results>` +
				`<dkim><domain>${domain}</domain><selector>s${i.toString(36)}</selector><result>pass</result></dkim>` +
				`<spf><domain>mta${i.toString(36)}.${domain}</domain><result>fail</result></spf></auth_results></record>`,
		);
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<feedback><report_metadata><org_name>sender.test</org_name><email>dmarc-reports@sender.test</email>
<report_id>${domain}-1704067200</report_id><date_range><begin>1704067200</begin><end>1704153599</end></date_range></report_metadata>
<policy_published><domain>${domain}</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct></policy_published>
${rows.join("\n")}
</feedback>
`;
}

export function postfixDsn(spec: DsnSpec): string {
	const qid = spec.queueId ?? "4A1B216A048";
	const boundary = `${qid}.1704067260/mail.sender.test`;
	const domain = spec.domain === undefined ? "example.org" : spec.domain;
	const first = spec.recipients[0]?.address ?? "rua@example.net";
	const groups = spec.recipients.map((r) => {
		const status = r.status ?? "5.1.1";
		const host = r.address.split("@").pop() ?? "example.net";
		return [
			`Final-Recipient: rfc822; ${r.address}`,
			`Original-Recipient: rfc822;${r.address}`,
			`Action: ${r.action ?? "failed"}`,
			`Status: ${status}`,
			`Remote-MTA: dns; mx.${host}`,
			`Diagnostic-Code: smtp; 550 ${status} <${r.address}>: Recipient address rejected:`,
			"    User unknown",
		].join("\n");
	});
	const subject =
		domain === null
			? ""
			: `Subject: Report Domain: ${domain} Submitter: sender.test Report-ID: <${domain}-1704067200@sender.test>\n`;
	const headers = `Return-Path: <dmarc-reports@sender.test>
From: DMARC Reports <dmarc-reports@sender.test>
To: ${spec.recipients.map((r) => r.address).join(", ")}
${subject}Date: Mon, 01 Jan 2024 00:00:00 +0000
Message-ID: <1704067200.${qid}@sender.test>
MIME-Version: 1.0
`;
	let returned: string;
	if (spec.headersOnly) {
		returned = `Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

${headers}`;
	} else {
		const attachment = spec.attachment ?? reportGzip(domain ?? "example.org");
		const name =
			spec.filename === undefined
				? `sender.test!${domain ?? "example.org"}!1704067200!1704153599.xml.gz`
				: spec.filename;
		const disposition =
			name === null
				? "Content-Disposition: attachment"
				: `Content-Disposition: attachment; filename="${name}"`;
		returned = `Content-Description: Undelivered Message
Content-Type: message/rfc822

${headers}Content-Type: multipart/mixed; boundary="=_report_boundary"

--=_report_boundary
Content-Type: text/plain; charset=us-ascii

This is an aggregate report.

--=_report_boundary
Content-Type: ${spec.attachmentType ?? "application/gzip"}
Content-Transfer-Encoding: base64
${disposition}

${base64Lines(attachment)}

--=_report_boundary--
`;
	}
	return `Return-Path: <MAILER-DAEMON>
Received: by mail.sender.test (Postfix)
	id ${qid}; Mon,  1 Jan 2024 00:01:00 +0000 (UTC)
Date: Mon,  1 Jan 2024 00:01:00 +0000 (UTC)
From: Mail Delivery System <MAILER-DAEMON@sender.test>
Subject: Undelivered Mail Returned to Sender
To: dmarc-reports@sender.test
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="${boundary}"
Message-Id: <20240101000100.${qid}@mail.sender.test>

This is a MIME-encapsulated message.

--${boundary}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.sender.test.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<${first}>: host mx.example.net said: 550 5.1.1 User unknown

--${boundary}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.sender.test
X-Postfix-Queue-ID: ${qid}
X-Postfix-Sender: rfc822; dmarc-reports@sender.test
Arrival-Date: Mon,  1 Jan 2024 00:00:00 +0000 (UTC)

${groups.join("\n\n")}

--${boundary}
${returned}
--${boundary}--
`;
}

/**
 * A DSN of about `bytes` bytes: the returned report carries a stored (uncompressed)
 * gzip attachment, so the size is real content the parser has to walk.
 */
export function dsnOfSize(bytes: number, domain = "example.org"): string {
	const small = postfixDsn({
		recipients: [{ address: "rua@example.net" }],
		domain,
		attachment: reportGzip(domain, 1, true),
	});
	const perRecord = reportXml(domain, 2).length - reportXml(domain, 1).length;
	// base64 grows the attachment by 4/3 (plus line breaks)
	const records = Math.max(
		1,
		Math.round((bytes - small.length) / ((perRecord * 4 * 77) / (3 * 76))),
	);
	return postfixDsn({
		recipients: [{ address: "rua@example.net" }],
		domain,
		attachment: reportGzip(domain, records, true),
	});
}

/** The typical Postfix DSN of the test fixtures (a 550 for one recipient, full return). */
export function typicalDsn(root: string): Uint8Array {
	return new Uint8Array(
		readFileSync(join(root, "test", "fixtures", "postfix-01.eml")),
	);
}

/** DSN number `i` of a delivery series: 50 report domains, 300 recipients. */
export function seriesDsn(i: number): string {
	const id = i.toString(16).toUpperCase().padStart(6, "0");
	return postfixDsn({
		queueId: `B${id}`,
		recipients: [{ address: `rua${i % 300}@rcpt${i % 300}.example.net` }],
		domain: `report${i % 50}.example.org`,
	});
}
