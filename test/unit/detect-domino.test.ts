import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { domino } from "../../src/detect/domino.ts";
import { parseMessage } from "../../src/mail/message.ts";

const fixture = (name: string) =>
	parseMessage(readFileSync(join(import.meta.dirname, "..", "fixtures", name)));

test("domino: was not delivered to / because", async () => {
	const found = domino(await fixture("domino-01.eml"));
	expect(found?.kind).toBe("bounce");
	if (found?.kind !== "bounce") return;
	expect(found.recipients.map((r) => [r.address, r.action, r.status])).toEqual([
		["rua@example.net", "failed", "5.0.0"],
	]);
});

test("domino: not mine", async () => {
	const other = await parseMessage(
		[
			"From: someone@example.com",
			"Subject: Re: report",
			"",
			"Your message was delivered to:",
			"rua@example.net",
		].join("\n"),
	);
	expect(domino(other)).toBeUndefined();
});
