import { describe, expect, test } from "bun:test";
import { textNotice } from "../../src/detect/generic/text-notice.ts";
import type { Message } from "../../src/mail/message.ts";

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
});
