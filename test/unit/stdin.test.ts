import { expect, test } from "bun:test";
import { readInput } from "../../src/mail/stdin.ts";

async function* chunks(...parts: (string | Uint8Array)[]) {
	for (const part of parts) yield part;
}

test("readInput keeps the bytes up to the limit and counts the rest", async () => {
	const input = await readInput(
		chunks("abc", new Uint8Array([0, 255, 10]), "defgh"),
		5,
	);
	expect([...input.bytes]).toEqual([97, 98, 99, 0, 255]);
	expect([input.truncated, input.size]).toEqual([true, 11]);
});

test("readInput under the limit is whole and not truncated", async () => {
	const input = await readInput(chunks("Subject: x\n\n", "body\n"), 1024);
	expect(new TextDecoder().decode(input.bytes)).toBe("Subject: x\n\nbody\n");
	expect(input.truncated).toBe(false);
});
