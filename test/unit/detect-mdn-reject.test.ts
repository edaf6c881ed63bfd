import { expect, test } from "bun:test";
import { DETECTORS, detect } from "../../src/detect/index.ts";
import { mdnReject } from "../../src/detect/standard/mdn-reject.ts";
import { fixture, rows } from "../support/detect.ts";

test("mdn-reject: a Sieve reject sent as an MDN (Dovecot, full mailbox)", async () => {
	const found = mdnReject(await fixture("mdn-reject-01.eml"));
	expect(rows(found)).toEqual([["rua@example.net", "failed", "5.2.2"]]);
	const first = found?.kind === "bounce" ? found.recipients[0] : undefined;
	expect(first?.diagnostic).toContain("Quota exceeded");
	expect(found?.kind === "bounce" && found.reportingMta).toBe(
		"imap.example.net",
	);
});

test("mdn-reject: a read receipt for a message deleted unread is not mine", async () => {
	expect(mdnReject(await fixture("mdn-reject-02.eml"))).toBeUndefined();
});

test("mdn-reject: not mine without an MDN part (a DSN, an auto-reply)", async () => {
	expect(mdnReject(await fixture("postfix-01.eml"))).toBeUndefined();
	expect(mdnReject(await fixture("autoreply-01.eml"))).toBeUndefined();
});

test("mdn-reject: detect() reads the rejection as a bounce, not as an auto-reply", async () => {
	const found = detect(await fixture("mdn-reject-01.eml"));
	expect(found?.kind === "bounce" && found.detector).toBe("mdn-reject");
	const names = DETECTORS.map(([name]) => name);
	expect(names.indexOf("mdn-reject")).toBeLessThan(names.indexOf("auto-reply"));
});
