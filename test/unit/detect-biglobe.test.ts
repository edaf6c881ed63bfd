import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { biglobe } from "../../src/detect/biglobe.ts";
import type { Detection } from "../../src/detect/types.ts";
import { parseMessage } from "../../src/mail/message.ts";

const fixture = (name: string) =>
	parseMessage(readFileSync(join(import.meta.dirname, "..", "fixtures", name)));

const mail = (lines: readonly string[]) => parseMessage(lines.join("\n"));

const rows = (found: Detection | undefined) =>
	found?.kind === "bounce"
		? found.recipients.map((r) => [r.address, r.action, r.status])
		: found?.kind;

test("biglobe: addresses, then one reason for all", async () => {
	const found = biglobe(await fixture("biglobe-01.eml"));
	expect(rows(found)).toEqual([["rua@example.net", "failed", "5.2.2"]]);
});

test("biglobe: not mine on ordinary mail and auto-replies", async () => {
	const ordinary = await mail([
		"From: someone@example.com",
		"Subject: Re: Report Domain: example.org",
		"",
		"Thanks for the report, forwarded to rua@example.net.",
	]);
	expect(biglobe(ordinary)).toBeUndefined();
	const vacation = await mail([
		"From: rua@example.net",
		"Subject: Automatic reply: Report Domain: example.org",
		"Auto-Submitted: auto-replied",
		"",
		"I am out of the office until Monday.",
	]);
	expect(biglobe(vacation)).toBeUndefined();
});
