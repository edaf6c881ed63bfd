import { normalizeDomain } from "./domain.ts";

/**
 * RFC 7489 §7.2.1.1 file name: `receiver "!" policy-domain "!" begin "!" end
 * [ "!" unique-id ] "." extension` (also RFC 8460 §5.1 for TLS-RPT).
 */
export function reportDomainFromFilename(
	filename: string | null,
): string | undefined {
	if (!filename) return undefined;
	const fields = filename.split("!");
	if (
		fields.length < 4 ||
		!/^\d+$/.test(fields[2] ?? "") ||
		!/^\d+/.test(fields[3] ?? "")
	)
		return undefined;
	return normalizeDomain(fields[1] ?? "");
}
