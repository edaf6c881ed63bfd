import { expect, test } from "bun:test";
import { mxLogic } from "../../src/detect/vendor/mxlogic.ts";
import { fixture, mail, rows } from "../support/detect.ts";

test("mxlogic: Exim's permanent error without X-Failed-Recipients", async () => {
	const found = mxLogic(await fixture("mxlogic-01.eml"));
	expect(rows(found)).toEqual([["rua@example.net", "failed", "5.1.1"]]);
	const first = found?.kind === "bounce" ? found.recipients[0] : undefined;
	expect(first?.diagnostic).toContain("User unknown in local recipient table");
});

test("mxlogic: the header copy below the notice is never read", async () => {
	const found = mxLogic(await fixture("mxlogic-01.eml"));
	expect(found?.kind === "bounce" ? found.recipients.length : 0).toBe(1);
});

test("mxlogic: Exim's delay warning is not mine", async () => {
	const warning = await mail([
		"From: Mail Delivery System <MAILER-DAEMON@relay.example.net>",
		"Subject: Warning: message 1abc-000001-AB delayed 24 hours",
		"",
		"This message was created automatically by mail delivery software.",
		"A message that you sent has not yet been delivered to one or more of its",
		"recipients after more than 24 hours on the queue on relay.example.net.",
		"",
		"  rua@example.net",
		"    Delay reason: SMTP error from remote mail server after RCPT TO:<rua@example.net>:",
		"    451 4.3.0 Temporary failure",
	]);
	expect(mxLogic(warning)).toBeUndefined();
});
