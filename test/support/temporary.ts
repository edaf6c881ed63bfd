import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Temporary directories made by the tests of this process, removed by removeTemporary(). */
const made: string[] = [];

export function temporaryDir(prefix: string): string {
	const dir = mkdtempSync(join(tmpdir(), prefix));
	made.push(dir);
	return dir;
}

export function removeTemporary(): void {
	for (const dir of made.splice(0))
		rmSync(dir, { recursive: true, force: true });
}
