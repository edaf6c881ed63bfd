import { expect, test } from "bun:test";
import { expiredUnreachable } from "../../src/dsn/expiry.ts";

test.each([
	[
		"4.4.7",
		"X-Postfix; delivery temporarily suspended: connect to mx.example.net[192.0.2.1]:25: Connection timed out",
	],
	["5.0.0", "retry timeout exceeded"],
	["4.4.1", undefined],
	["5.4.7", undefined],
	["5.0.0", "Could not deliver for the last 432000 seconds"],
])("held: %p %p", (status, diagnostic) => {
	expect(expiredUnreachable(status, diagnostic)).toBe(true);
});

test.each([
	// the mailbox was reached and refused, then the queue lifetime ran out
	["5.0.0", "mailbox is full: retry timeout exceeded"],
	["4.4.7", "smtp; 452 4.2.2 Over quota (delivery time expired)"],
	["4.2.1", undefined],
	["4.4.7", "smtp; 450 4.7.1 Access denied"],
	["5.1.1", "smtp; 550 5.1.1 User unknown"],
	[undefined, undefined],
])("a failure: %p %p", (status, diagnostic) => {
	expect(expiredUnreachable(status, diagnostic)).toBe(false);
});
