// Mutations of real DSNs for the fuzzer. Text-level operators work on the message as
// Latin-1 (one character per byte), so any byte survives a round trip.
import type { Rng } from "./random.ts";

export interface Mutant {
	readonly bytes: Uint8Array;
	/** What was done, for the report (replaying needs the seed and the index). */
	readonly steps: readonly string[];
}

const LATIN1 = new TextDecoder("latin1");
const toText = (bytes: Uint8Array) => LATIN1.decode(bytes);
const toBytes = (text: string) =>
	Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);

/** Inputs above this are cut: the fuzzer is about structure, not the 20 MB limit. */
const MAX_LENGTH = 512 * 1024;

const TOKENS = [
	"\0",
	"\r",
	"\n",
	"\r\n\r\n",
	"\n\n",
	"--",
	"\t",
	" ",
	"=",
	"=\n",
	"=?utf-8?B?",
	"=?x-unknown?Q?=ff=fe?=",
	"?=",
	"\xff\xfe",
	"\xc3\x28",
	"\xe2\x82",
	"%00",
	"../",
	"/",
	"\\",
	"<",
	">",
	'"',
	"@",
	";",
	"Content-Type: multipart/mixed; boundary=",
	'Content-Type: multipart/report; report-type=delivery-status; boundary="x"\n\n--x\n',
	"Content-Type: message/delivery-status\n\n",
	"Content-Type: message/rfc822\n\n",
	"Content-Transfer-Encoding: base64\n",
	"Action: failed\n",
	"Final-Recipient: rfc822; ",
	"Original-Recipient: utf-8; \\x{0041}@",
	"Status: 5.1.1\n",
	"Report Domain: ",
	" Submitter: ",
	"X-Failed-Recipients: ",
	"begin 644 x\n",
	"A".repeat(2000),
	"\n ".repeat(200),
	"--".repeat(500),
];

const CONTENT_TYPES = [
	"message/delivery-status",
	"message/global-delivery-status",
	"message/rfc822",
	"message/global",
	"message/global-headers",
	"text/rfc822-headers",
	"multipart/report",
	"multipart/mixed",
	"multipart/alternative",
	"application/octet-stream",
	"application/gzip",
	"application/zip",
	"text/plain",
	"text/html",
	"",
];

const ENCODINGS = [
	"base64",
	"quoted-printable",
	"7bit",
	"8bit",
	"binary",
	"x-uuencode",
	"gzip",
	"",
];
const CHARSETS = [
	"utf-16",
	"utf-32",
	"utf-7",
	"iso-2022-jp",
	"gb18030",
	"shift_jis",
	"x-unknown",
	'""',
	"utf-8\0",
];

const DSN_FIELDS = [
	"Final-Recipient",
	"Original-Recipient",
	"Action",
	"Status",
	"Diagnostic-Code",
	"Reporting-MTA",
	"Remote-MTA",
	"Subject",
	"From",
	"To",
	"Message-ID",
	"References",
	"X-Failed-Recipients",
	"Content-Disposition",
];

const VALUES = [
	"",
	"rfc822;",
	"rfc822; <>",
	"rfc822; evil@example.org discard:x",
	"rfc822; a@b@c",
	"rfc822; ../../etc/passwd@example.net",
	"utf-8; r\\x{00FC}a@exa\\x{0308}mple.net",
	"rfc822; rua+x=example.org@example.net",
	'rfc822; "quoted local"@example.net',
	"rfc822; rua@[192.0.2.1]",
	"rfc822; rua@xn--zz.example",
	"rfc822; rua@-bad-.example",
	"FAILED (comment)",
	"failed; delayed",
	"delayed",
	"delivered",
	"5.1.1 (x)",
	"5.999999999999.1",
	"9.9.9",
	"smtp; 550 5.7.26 DMARC policy",
	"Report Domain: ../../etc Submitter: x Report-ID: y",
	"Report Domain: example.org/.. Submitter: x",
	"Report Domain: _unknown Submitter: x",
	"Report Domain: \u4f8b\u3048.\u30c6\u30b9\u30c8 Submitter: x",
	"Report Domain: a.b\0c Submitter: x",
	`Report Domain: ${"a".repeat(300)}.example Submitter: x`,
	'attachment; filename="x!../..!1!2.xml.gz"',
	"attachment; filename*=utf-8''%ff%fe.xml",
	"\xff\xfe\xfd",
	"x".repeat(5000),
];

type Op = (text: string, r: Rng, seeds: readonly string[]) => [string, string];

function at(text: string, r: Rng): number {
	return r.int(text.length + 1);
}

const OPS: readonly Op[] = [
	(t, r) => {
		const token = r.pick(TOKENS);
		const i = at(t, r);
		return [
			t.slice(0, i) + token + t.slice(i),
			`insert ${JSON.stringify(token.slice(0, 20))} at ${i}`,
		];
	},
	(t, r) => {
		const i = at(t, r);
		const n = r.int(Math.min(400, t.length - i) + 1);
		return [t.slice(0, i) + t.slice(i + n), `delete ${n} at ${i}`];
	},
	(t, r) => {
		const i = at(t, r);
		const n = r.int(Math.min(300, t.length - i) + 1);
		const times = r.range(1, 40);
		const j = at(t, r);
		return [
			t.slice(0, j) + t.slice(i, i + n).repeat(times) + t.slice(j),
			`repeat ${n}x${times} from ${i} at ${j}`,
		];
	},
	(t, r) => {
		const i = at(t, r);
		return [t.slice(0, i), `truncate at ${i}`];
	},
	(t, r) => {
		const chars = t.split("");
		const n = r.range(1, 16);
		for (let k = 0; k < n && chars.length > 0; k++)
			chars[r.int(chars.length)] = String.fromCharCode(r.int(256));
		return [chars.join(""), `flip ${n} bytes`];
	},
	(t, r) => {
		const kind = r.int(3);
		if (kind === 0) return [t.replace(/\r?\n/g, "\r\n"), "CRLF"];
		if (kind === 1) return [t.replace(/\r\n/g, "\n"), "LF"];
		return [t.replace(/\r?\n/g, "\r"), "CR only"];
	},
	(t, r) => {
		const boundaries = [...t.matchAll(/boundary="?([^";\r\n]+)"?/gi)].map(
			(m) => m[1] ?? "",
		);
		if (boundaries.length === 0) return [t, "no boundary"];
		const b = r.pick(boundaries);
		switch (r.int(5)) {
			case 0:
				return [t.replaceAll(`--${b}--`, ""), `unclosed ${b}`];
			case 1:
				return [
					t.replace(`boundary="${b}"`, 'boundary=""'),
					`empty boundary ${b}`,
				];
			case 2:
				return [
					t.replaceAll(`--${b}`, `--${b.slice(0, Math.max(1, b.length >> 1))}`),
					`prefix boundary ${b}`,
				];
			case 3:
				return [
					t.replace(`boundary="${b}"`, `boundary="${b}x"`),
					`renamed boundary ${b}`,
				];
			default:
				return [
					t.replaceAll(`--${b}\n`, `--${b}\n--${b}\n`),
					`doubled boundary ${b}`,
				];
		}
	},
	(t, r) => {
		const e = r.pick(ENCODINGS);
		return [
			t.replace(
				/Content-Transfer-Encoding:[^\r\n]*/i,
				`Content-Transfer-Encoding: ${e}`,
			),
			`encoding ${e}`,
		];
	},
	(t, r) => {
		const c = r.pick(CHARSETS);
		return [
			t.replace(/charset="?[^";\r\n]*"?/i, `charset=${c}`),
			`charset ${c}`,
		];
	},
	(t, r) => {
		const types = [...t.matchAll(/Content-Type:\s*([^;\r\n]*)/gi)];
		if (types.length === 0) return [t, "no content type"];
		const m = r.pick(types);
		const to = r.pick(CONTENT_TYPES);
		const i = m.index ?? 0;
		return [
			t.slice(0, i) + t.slice(i).replace(m[1] ?? "", to),
			`type ${m[1]} -> ${to}`,
		];
	},
	(t, r) => {
		const field = r.pick(DSN_FIELDS);
		const value = r.pick(VALUES);
		const re = new RegExp(`^${field}:[^\\r\\n]*`, "im");
		if (!re.test(t)) return [`${field}: ${value}\n${t}`, `add ${field}`];
		return [
			t.replace(re, `${field}: ${value}`),
			`${field}: ${JSON.stringify(value.slice(0, 30))}`,
		];
	},
	(t, r) => {
		const depth = r.range(1, 40);
		let body = t;
		const rfc822 = r.chance(0.5);
		for (let i = 0; i < depth; i++)
			body = rfc822
				? `Subject: wrap ${i}\nContent-Type: message/rfc822\n\n${body}`
				: `Content-Type: multipart/mixed; boundary="w${i}"\n\n--w${i}\n${body}\n--w${i}--\n`;
		return [
			`From: MAILER-DAEMON@x.test\n${body}`,
			`nest ${depth} ${rfc822 ? "rfc822" : "multipart"}`,
		];
	},
	(t, r, seeds) => {
		const other = r.pick(seeds);
		const i = at(t, r);
		const j = r.int(other.length + 1);
		return [t.slice(0, i) + other.slice(j), `splice at ${i} with ${j}`];
	},
];

function random(r: Rng): [string, string] {
	const n = r.int(4096);
	if (r.chance(0.5)) return [toText(r.bytes(n)), `random ${n} bytes`];
	const alphabet = 'abcdefghijklmnopqrstuvwxyz:;=-@.<> \n\n\n\t"';
	let text = "";
	for (let i = 0; i < n; i++) text += alphabet[r.int(alphabet.length)];
	return [text, `random ${n} characters`];
}

export function mutate(r: Rng, seeds: readonly Uint8Array[]): Mutant {
	const texts = seeds.map(toText);
	if (r.chance(0.04)) {
		const [text, step] = random(r);
		return { bytes: toBytes(text), steps: [step] };
	}
	let text = r.pick(texts);
	const steps: string[] = [];
	const n = r.range(1, 5);
	for (let i = 0; i < n; i++) {
		const [next, step] = r.pick(OPS)(text, r, texts);
		text = next.length > MAX_LENGTH ? next.slice(0, MAX_LENGTH) : next;
		steps.push(step);
	}
	return { bytes: toBytes(text), steps };
}

const EXTENSIONS = [
	"rua=example.net",
	"Rua=Bounce.Test",
	"x y=bounce.test",
	"--help",
	"-h",
	"--dry-run",
	"=",
	"a=b=c",
	"rua=",
	"=example.net",
	"../x=y",
	"r\u00fc=ex\u00e4mple.org",
	"rua=example.net\nX",
	"*=example.net",
];

/** Postfix's ${extension}: mostly empty, sometimes VERP, sometimes hostile. */
export function extension(r: Rng): string {
	return r.chance(0.75) ? "" : r.pick(EXTENSIONS);
}
