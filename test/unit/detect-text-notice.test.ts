import { describe, expect, test } from "bun:test";
import { textNotice } from "../../src/detect/generic/text-notice.ts";
import { detect } from "../../src/detect/index.ts";
import type { Message } from "../../src/mail/message.ts";
import { fixture, rows } from "../support/detect.ts";

function notice(
	text: string,
	from = "Mail Delivery System <MAILER-DAEMON@mail.sender.test>",
	subject = "Mail delivery failed",
): Message {
	return {
		headers: [
			{ name: "from", value: from },
			{ name: "to", value: "dmarc-reports@sender.test" },
		],
		subject,
		text,
		parts: [],
	};
}

const addresses = (m: Message) => {
	const found = textNotice(m);
	return found?.kind === "bounce"
		? found.recipients.map((r) => [r.address, r.action, r.status])
		: found;
};

describe("textNotice", () => {
	test("Postfix-style '<addr>: host said' lines, status from the reply", () => {
		expect(
			addresses(
				notice(
					"<rua@example.net>: host mx.example.net said: 550 5.1.1 User unknown\n",
				),
			),
		).toEqual([["rua@example.net", "failed", "5.1.1"]]);
	});

	test("a bare SMTP reply without an enhanced code gives X.0.0", () => {
		expect(
			addresses(notice("rua@example.net: 550 No such user here\n")),
		).toEqual([["rua@example.net", "failed", "5.0.0"]]);
	});

	test("addresses in the returned copy are not recipients", () => {
		const text =
			"rua@example.net: 550 5.1.1 unknown\n\n------ This is a copy of the message, including all the headers. ------\n\nTo: other@example.com\n<third@example.com>: x\n";
		expect(addresses(notice(text))).toEqual([
			["rua@example.net", "failed", "5.1.1"],
		]);
	});

	test("the notice's own To is never taken; a contact address alone on a line is skipped", () => {
		const text =
			"<dmarc-reports@sender.test>: your message\n\nFor help write to\n  postmaster@example.net\n";
		expect(textNotice(notice(text))).toBeUndefined();
	});

	test("a postmaster address that failed is a recipient like any other (rua=mailto:postmaster@...)", () => {
		expect(
			addresses(notice("<postmaster@example.net>: host said: 550 5.1.1 no\n")),
		).toEqual([["postmaster@example.net", "failed", "5.1.1"]]);
	});

	test("the first entry under a 'following ...:' heading, with a remark or a '> '", () => {
		expect(
			addresses(
				notice(
					"The message that you sent was undeliverable to the following:\n\trua@example.net (user not found)\n",
				),
			),
		).toEqual([["rua@example.net", "failed", "5.0.0"]]);
		expect(
			addresses(
				notice(
					"The following addresses did NOT receive a copy of your message:\n> rua@example.net\n\n--- Session Transcript ---\n 220 mx.example.net ready\n 550 5.1.1 unknown\n",
				),
			),
		).toEqual([["rua@example.net", "failed", "5.1.1"]]);
		// a heading followed by prose is no list
		expect(
			textNotice(
				notice(
					"Please contact the following:\nour helpdesk at help@example.net, any time.\n",
				),
			),
		).toBeUndefined();
	});

	test("'unable to deliver your message to ADDRESS' names the recipient without brackets", () => {
		expect(
			addresses(
				notice(
					"Sorry, unable to deliver your message to rua@example.net for\nthe following reason:\n\n 552 Quota violation\n",
				),
			),
		).toEqual([["rua@example.net", "failed", "5.0.0"]]);
	});

	test("a failure never takes its status from a transcript's 2xx greeting", () => {
		expect(
			addresses(
				notice(
					"The following addresses had permanent errors:\n<rua@example.net>\n\n 220 mx.example.net ESMTP\n 250 ok\n",
				),
			),
		).toEqual([["rua@example.net", "failed", "5.0.0"]]);
	});

	test("a delay warning reports delayed, never failed", () => {
		const text =
			"has not yet been delivered to:\n\n  rua@example.net\n\nDelivery attempts will continue.\n";
		expect(
			addresses(notice(text, undefined, "Warning: message delayed")),
		).toEqual([["rua@example.net", "delayed", "4.0.0"]]);
	});

	test("not from a mailer daemon and no bounce subject: not mine", () => {
		expect(
			textNotice(
				notice(
					"rua@example.net: 550 no\n",
					"Jane <jane@example.net>",
					"Re: hello",
				),
			),
		).toBeUndefined();
	});

	test("a continuation line holding a Message-ID is cut off with the returned headers", () => {
		const text =
			"There was an error delivering your mail to <rua@example.net>.\n\nMessage headers follow.\n\nSubject: Report Domain: example.org\n <example.org-1704067200@sender.test>\n";
		expect(addresses(notice(text))).toEqual([
			["rua@example.net", "failed", "5.0.0"],
		]);
	});

	test("Exim's alias forms: the member that failed and the address we sent to", () => {
		const found = textNotice(
			notice(
				"The following address(es) failed:\n\n  member@example.net\n    (generated from rua@example.org)\n    550 5.1.1 unknown user\n",
			),
		);
		expect(
			found?.kind === "bounce"
				? found.recipients.map((r) => [r.address, r.original])
				: found,
		).toEqual([["member@example.net", "rua@example.org"]]);
	});

	test("an undisclosed member: the address it was generated from failed", () => {
		const found = textNotice(
			notice(
				"The following address(es) failed:\n\n  an undisclosed address\n    (generated from rua@example.org)\n",
			),
		);
		expect(
			found?.kind === "bounce"
				? found.recipients.map((r) => [r.address, r.original])
				: found,
		).toEqual([["rua@example.org", "rua@example.org"]]);
	});

	test("Postfix's 'expanded from' keeps the alias as the original", () => {
		const found = textNotice(
			notice(
				"<member@example.net> (expanded from <rua@example.org>): host mx.example.net said: 550 5.1.1 unknown\n",
			),
		);
		expect(
			found?.kind === "bounce"
				? found.recipients.map((r) => [r.address, r.original, r.status])
				: found,
		).toEqual([["member@example.net", "rua@example.org", "5.1.1"]]);
	});

	test("'(Originally addressed to ...)' names the recipient", () => {
		expect(
			addresses(
				notice(
					"Your message has encountered delivery problems\nto local user rua.\n(Originally addressed to rua@example.net)\n\nUser not known\n",
				),
			),
		).toEqual([["rua@example.net", "failed", "5.0.0"]]);
	});

	test("LSMTP's Error-for:, MailEnable's [SMTP:...], Smail's 'addr ... reason'", () => {
		for (const text of [
			"Error-for:  rua@example.net\nError-Code: 0\n",
			"\tRecipient: [SMTP:rua@example.net]\n\tReason: 550 mailbox unavailable\n",
			"|---- Failed addresses follow: ----|\n rua@example.net ... unknown host\n",
			"rua@example.net - no such user here.\n",
		])
			expect(addresses(notice(text))).toEqual([
				["rua@example.net", "failed", "5.0.0"],
			]);
	});

	test("'addressed to' in prose", () => {
		expect(
			addresses(
				notice(
					"The following message, addressed to 'rua@example.net',\nfailed because it has not been collected after 30 days\n",
				),
			),
		).toEqual([["rua@example.net", "failed", "5.0.0"]]);
	});

	test("a line that names one address and says it failed, in other languages", () => {
		for (const [subject, text] of [
			[
				"Ваше сообщение не доставлено",
				" Local mailbox rua@example.net is unavailable: user not found\n",
			],
			["Unzustellbar", "Das Postfach rua@example.net existiert nicht.\n"],
			["Non remis", "L'adresse rua@example.net n'existe pas.\n"],
			["No se pudo entregar", "El buzón rua@example.net no existe.\n"],
			["Non recapitato", "L'indirizzo rua@example.net non esiste.\n"],
			["Mensagem não entregue", "O endereço rua@example.net não existe.\n"],
			["Onbestelbaar", "Het adres rua@example.net bestaat niet.\n"],
			["Wiadomość niedostarczona", "Adres rua@example.net nie istnieje.\n"],
			["配信できませんでした", "rua@example.net は存在しません。\n"],
			["系统退信", "rua@example.net 不存在\n"],
		] as const)
			expect(
				addresses(notice(text, "Jane <jane@example.com>", subject)),
			).toEqual([["rua@example.net", "failed", "5.0.0"]]);
	});

	test("the address in a failure subject when the body names none", () => {
		expect(
			addresses(
				notice(
					"This email address is wrong or no longer valid.\n",
					undefined,
					"Your message to rua@example.net could not be delivered.",
				),
			),
		).toEqual([["rua@example.net", "failed", "5.0.0"]]);
	});

	test("a quoted Subject and a Report-ID are never recipients", () => {
		expect(
			addresses(
				notice(
					"Your Message\n\nTo:      <rua@example.net>\n\nSubject: Report Domain: example.org Submitter:\n mx.sender.test Report-ID:\n <example.org-123@mx.sender.test>\n\nDid not reach the following recipient: rua@example.net\n",
					"Postmaster <>",
					"Undeliverable: rua@example.net",
				),
			),
		).toEqual([["rua@example.net", "failed", "5.0.0"]]);
	});

	test("a delivery-status part that names nobody falls back to the text", async () => {
		const found = detect(await fixture("textnotice-10.eml"));
		expect(found?.detector).toBe("text-notice");
		expect(rows(found)).toEqual([["rua@bounce.test", "failed", "5.0.0"]]);
	});
});
