import { expect, test } from "bun:test";
import { notes } from "../../src/detect/vendor/notes.ts";
import { parseMessage } from "../../src/mail/message.ts";
import { fixture } from "../support/detect.ts";

test("notes: Failure Reasons section", async () => {
	const found = notes(await fixture("notes-01.eml"));
	expect(found?.kind).toBe("bounce");
	if (found?.kind !== "bounce") return;
	expect(found.recipients.map((r) => [r.address, r.action, r.status])).toEqual([
		["rua@example.net", "failed", "5.0.0"],
	]);
});

test("notes: not mine", async () => {
	const other = await parseMessage(
		[
			"From: someone@example.com",
			"Subject: Re: report",
			"",
			"Failure Reasons: none",
			"rua@example.net",
		].join("\n"),
	);
	expect(notes(other)).toBeUndefined();
});
