// Markdown pieces for BENCHMARKS.md and the console.
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg, release, totalmem } from "node:os";

export function table(
	head: readonly string[],
	rows: readonly (readonly string[])[],
): string {
	const widths = head.map((h, i) =>
		Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)),
	);
	const line = (cells: readonly string[]) =>
		`| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
	return [
		line(head),
		`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`,
		...rows.map(line),
	].join("\n");
}

export function ms(value: number | undefined): string {
	if (value === undefined || Number.isNaN(value)) return "n/a";
	if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
	if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
	return `${value.toFixed(value < 100 ? 1 : 0)} ms`;
}

export function mb(value: number | undefined): string {
	if (value === undefined || Number.isNaN(value)) return "n/a";
	// GNU time's %M is KiB: the figures are MiB, as the targets are
	return `${value.toFixed(value < 100 ? 1 : 0)} MiB`;
}

/** `a / b` as "2.3x"; n/a when either is missing. */
export function ratio(a: number | undefined, b: number | undefined): string {
	if (a === undefined || b === undefined || !(b > 0) || Number.isNaN(a))
		return "n/a";
	const r = a / b;
	return `${r.toFixed(r < 10 ? 2 : 1)}x`;
}

export function bytes(n: number): string {
	if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
	if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
	return `${n} B`;
}

export interface Machine {
	readonly date: string;
	readonly cpus: number;
	readonly cpu: string;
	readonly memory: string;
	readonly kernel: string;
	readonly bun: string;
	readonly python: string;
	readonly loadStart: string;
}

export function machine(python: string): Machine {
	let cpu = "unknown";
	try {
		cpu =
			/^model name\s*:\s*(.+)$/m
				.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]
				?.trim() ?? cpu;
	} catch {
		// not Linux
	}
	return {
		date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
		cpus: availableParallelism(),
		cpu,
		memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
		kernel: `Linux ${release()}`,
		bun: Bun.version,
		python,
		loadStart: loadavg()
			.map((l) => l.toFixed(2))
			.join(" "),
	};
}

export function loadNow(): string {
	return loadavg()
		.map((l) => l.toFixed(2))
		.join(" ");
}
