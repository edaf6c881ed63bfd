import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { zipSync } from "fflate";
import { reportDomainFromFilename } from "../../src/report/attachment.ts";
import {
	MAX_XML_BYTES,
	reportDomainFromContent,
} from "../../src/report/xml.ts";

const encode = (text: string) => new TextEncoder().encode(text);

function xml(domain: string, padding = ""): string {
	return `<?xml version="1.0" encoding="UTF-8" ?>
<feedback>
  <report_metadata><org_name>sender.test</org_name><email>dmarc@sender.test</email></report_metadata>
  <policy_published>
    <domain>${domain}</domain>
    <adkim>r</adkim><aspf>r</aspf><p>none</p>
  </policy_published>
  <record><row><source_ip>192.0.2.1</source_ip></row><identifiers><header_from>other.example</header_from></identifiers></record>${padding}
</feedback>
`;
}

/** Rewrites the uncompressed size a zip declares (local header and central directory). */
function declareSize(zip: Uint8Array, size: number): Uint8Array {
	const out = zip.slice();
	const view = new DataView(out.buffer);
	for (let i = 0; i + 4 <= out.length; i++) {
		const signature = view.getUint32(i, true);
		if (signature === 0x04034b50) view.setUint32(i + 22, size, true);
		if (signature === 0x02014b50) view.setUint32(i + 24, size, true);
	}
	return out;
}

describe("reportDomainFromFilename", () => {
	test.each([
		[
			"receiver.example!example.com!1704067200!1704153599.xml.gz",
			"example.com",
		],
		["receiver.example!example.com!1704067200!1704153599.xml", "example.com"],
		["receiver.example!example.com!1704067200!1704153599.zip", "example.com"],
		[
			"receiver.example!example.com!1704067200!1704153599!abc-123.xml.gz",
			"example.com",
		],
		[
			"receiver.example!EXAMPLE.Com!1704067200!1704153599.xml.gz",
			"example.com",
		],
		[
			"receiver.example!bücher.example!1704067200!1704153599.xml.gz",
			"xn--bcher-kva.example",
		],
		// RFC 8460 §5.1 TLS-RPT
		[
			"receiver.example!example.net!1704067200!1704153599!1.json.gz",
			"example.net",
		],
	])("%p -> %p", (name, domain) => {
		expect(reportDomainFromFilename(name)).toBe(domain);
	});

	test.each([
		[null],
		[""],
		["report.xml.gz"],
		["receiver.example!example.com.xml.gz"],
		["receiver.example!example.com!1704067200.xml.gz"],
		["receiver.example!example.com!begin!1704153599.xml.gz"],
		["receiver.example!example.com!1704067200!end.xml.gz"],
		["receiver.example!../../etc/passwd!1704067200!1704153599.xml.gz"],
		["receiver.example!localhost!1704067200!1704153599.xml.gz"],
		["receiver.example!!1704067200!1704153599.xml.gz"],
	])("no domain from %p", (name) => {
		expect(reportDomainFromFilename(name)).toBeUndefined();
	});
});

describe("reportDomainFromContent", () => {
	test("plain XML", () => {
		expect(reportDomainFromContent(encode(xml("example.org")))).toBe(
			"example.org",
		);
	});

	test("gzip", () => {
		expect(reportDomainFromContent(gzipSync(encode(xml("example.net"))))).toBe(
			"example.net",
		);
	});

	test("a truncated gzip still yields the domain from its start", () => {
		const padding = "<record/>".repeat(20_000);
		const full = gzipSync(encode(xml("cut.example", padding)), { level: 1 });
		const cut = full.subarray(0, Math.floor(full.length / 2));
		expect(cut.length).toBeLessThan(full.length);
		expect(reportDomainFromContent(cut)).toBe("cut.example");
	});

	test("a gzip cut to its header gives nothing and does not throw", () => {
		const full = gzipSync(encode(xml("example.net")));
		expect(reportDomainFromContent(full.subarray(0, 10))).toBeUndefined();
	});

	test("zip: the first .xml member", () => {
		const zip = zipSync({
			"readme.txt": encode("<policy_published><domain>wrong.example</domain>"),
			"report.xml": encode(xml("example.com")),
			"second.xml": encode(xml("second.example")),
		});
		expect(reportDomainFromContent(zip)).toBe("example.com");
	});

	test("zip bomb: a member larger than the limit is never inflated", () => {
		const padding = " ".repeat(MAX_XML_BYTES + 1024);
		const zip = zipSync({
			"bomb.xml": [encode(xml("bomb.example", padding)), { level: 9 }],
		});
		expect(zip.length).toBeLessThan(100_000);
		expect(reportDomainFromContent(zip)).toBeUndefined();
	});

	test("zip bomb: a huge declared size is refused before inflating", () => {
		const small = zipSync({ "report.xml": encode(xml("bomb.example")) });
		expect(reportDomainFromContent(small)).toBe("bomb.example");
		// just over the limit: read, it would still name the domain
		expect(
			reportDomainFromContent(declareSize(small, MAX_XML_BYTES + 1)),
		).toBeUndefined();
		expect(
			reportDomainFromContent(declareSize(small, 0xfffffff0)),
		).toBeUndefined();
	});

	test("a corrupt zip gives nothing and does not throw", () => {
		const zip = zipSync({ "report.xml": encode(xml("example.com")) });
		expect(reportDomainFromContent(zip.subarray(0, 20))).toBeUndefined();
		expect(reportDomainFromContent(encode("PK garbage"))).toBeUndefined();
	});

	test("only feedback/policy_published/domain counts", () => {
		const other = encode(
			"<feedback><record><identifiers><header_from>x.example</header_from></identifiers><domain>not.example</domain></record></feedback>",
		);
		expect(reportDomainFromContent(other)).toBeUndefined();
	});

	test("white space around the domain is trimmed, case folded", () => {
		const text = encode(
			"<feedback><policy_published>\n<domain>\n  EXAMPLE.Org  \n</domain></policy_published></feedback>",
		);
		expect(reportDomainFromContent(text)).toBe("example.org");
	});

	test.each([
		["path traversal", "../../etc/passwd"],
		["single label", "localhost"],
		["empty", ""],
	])("an invalid published domain (%s) gives nothing", (_, domain) => {
		expect(reportDomainFromContent(encode(xml(domain)))).toBeUndefined();
	});

	test("non-XML content gives nothing", () => {
		expect(reportDomainFromContent(new Uint8Array())).toBeUndefined();
		expect(reportDomainFromContent(encode("hello world"))).toBeUndefined();
		expect(
			reportDomainFromContent(new Uint8Array([0x1f, 0x8b, 0, 0, 0])),
		).toBeUndefined();
	});
});
