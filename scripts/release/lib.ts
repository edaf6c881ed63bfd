// Pure helpers of the release (scripts/release.ts): names, checksums, Debian fields, and
// the blocks of docs/postfix.md that the package ships. Unit-tested in test/release.test.ts.

export const PACKAGE = "dmarc-dsn-processor";

export interface Target {
	/** the artifact suffix: dmarc-dsn-processor-<version>-<name> */
	name: "linux-x64" | "linux-x64-musl" | "linux-arm64";
	/** `bun build --compile --target` */
	bunTarget: string;
	/** Debian architecture of the .deb built from this binary; none for musl */
	debArch?: "amd64" | "arm64";
	/** the CPU as Node names it (process.arch) */
	arch: "x64" | "arm64";
	libc: "glibc" | "musl";
}

/**
 * x64 uses Bun's baseline builds (x86-64-v1 plus SSE4.2, no AVX): a mail host is often a
 * VM whose CPU model hides AVX2, where the default build dies with SIGILL. Speed does not
 * matter here, one run takes milliseconds.
 */
export const TARGETS: readonly Target[] = [
	{
		name: "linux-x64",
		bunTarget: "bun-linux-x64-baseline",
		debArch: "amd64",
		arch: "x64",
		libc: "glibc",
	},
	{
		name: "linux-x64-musl",
		bunTarget: "bun-linux-x64-musl-baseline",
		arch: "x64",
		libc: "musl",
	},
	{
		name: "linux-arm64",
		bunTarget: "bun-linux-arm64",
		debArch: "arm64",
		arch: "arm64",
		libc: "glibc",
	},
];

export function binaryName(version: string, target: Target): string {
	return `${PACKAGE}-${version}-${target.name}`;
}

export function debName(version: string, arch: string): string {
	return `${PACKAGE}_${debVersion(version)}_${arch}.deb`;
}

/** Selects targets by name, with or without the `linux-` prefix; all when none is named. */
export function selectTargets(names: readonly string[]): Target[] {
	if (names.length === 0) return [...TARGETS];
	return names.map((name) => {
		const target = TARGETS.find(
			(t) => t.name === name || t.name === `linux-${name}`,
		);
		if (!target)
			throw new Error(
				`unknown target '${name}' (known: ${TARGETS.map((t) => t.name).join(", ")})`,
			);
		return target;
	});
}

/** `sha256sum` output (two spaces: text mode), sorted by file name, so `sha256sum -c` reads it. */
export function sha256sums(
	entries: readonly { name: string; sha256: string }[],
): string {
	return [...entries]
		.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
		.map((e) => `${e.sha256}  ${e.name}\n`)
		.join("");
}

/**
 * A Debian version for an npm version: a pre-release sorts before its release in npm,
 * which Debian spells with `~` (1.0.0-rc.1 -> 1.0.0~rc.1). Build metadata is dropped.
 */
export function debVersion(version: string): string {
	if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(version))
		throw new Error(`'${version}' is not a semantic version`);
	return version.replace(/\+.*$/, "").replace("-", "~");
}

/**
 * The glibc a binary needs: the highest GLIBC_x.y among the version needs that
 * `readelf --version-info` lists (.gnu.version_r). undefined for a binary without any.
 */
export function glibcRequirement(
	readelfVersionInfo: string,
): string | undefined {
	let best: number[] | undefined;
	for (const match of readelfVersionInfo.matchAll(
		/Name: GLIBC_(\d+(?:\.\d+)+)\b/g,
	)) {
		const version = (match[1] ?? "").split(".").map(Number);
		if (!best || compareNumbers(version, best) > 0) best = version;
	}
	return best?.join(".");
}

function compareNumbers(a: readonly number[], b: readonly number[]): number {
	for (let i = 0; i < Math.max(a.length, b.length); i++) {
		const d = (a[i] ?? 0) - (b[i] ?? 0);
		if (d !== 0) return d;
	}
	return 0;
}

/**
 * The body of the one fenced block of a Markdown file whose info string contains
 * `e2e=NAME`: the same rule as snippet() in scripts/e2e/lib.sh, which the e2e test applies
 * to docs/postfix.md. Throws unless exactly one block matches.
 */
export function snippet(markdown: string, name: string): string {
	const bodies: string[] = [];
	let open: string[] | undefined;
	for (const line of markdown.split("\n")) {
		if (open) {
			if (/^```\s*$/.test(line)) {
				bodies.push(open.map((l) => `${l}\n`).join(""));
				open = undefined;
			} else open.push(line);
		} else if (
			line.startsWith("```") &&
			line.split(/\s+/).includes(`e2e=${name}`)
		)
			open = [];
	}
	if (bodies.length !== 1 || open)
		throw new Error(
			`docs: ${bodies.length} blocks marked e2e=${name} (need exactly 1)`,
		);
	return bodies[0] as string;
}

/** Where docs/postfix.md installs things by hand, and where the .deb puts them. */
export const DOC_PATHS = {
	binary: "/usr/local/bin/dmarc-dsn-processor",
	updateMap: "/usr/local/sbin/dmarc-dsn-processor-update-map",
} as const;
export const DEB_PATHS = {
	binary: "/usr/bin/dmarc-dsn-processor",
	updateMap: "/usr/sbin/dmarc-dsn-processor-update-map",
	dataDir: "/var/lib/dmarc-dsn-processor",
	doc: "/usr/share/doc/dmarc-dsn-processor",
} as const;

/** A block of docs/postfix.md with the hand-installed paths replaced by the package's. */
export function toDebPaths(text: string): string {
	return text
		.replaceAll(DOC_PATHS.binary, DEB_PATHS.binary)
		.replaceAll(DOC_PATHS.updateMap, DEB_PATHS.updateMap);
}

/**
 * The doc's cron job (`m h dom mon dow user /usr/local/sbin/...-update-map`) for the
 * package: the same schedule and user, the package's script, and a `test -x` guard that
 * keeps an enabled job quiet after `dpkg -r` (the cron.d conffile stays until purge).
 */
export function cronJob(docCron: string): string {
	const jobs = docCron
		.split("\n")
		.filter((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
	if (jobs.length !== 1)
		throw new Error(`docs: the cron block has ${jobs.length} jobs (need 1)`);
	const fields = (jobs[0] as string).trim().split(/\s+/);
	if (fields.length !== 7 || fields[6] !== DOC_PATHS.updateMap)
		throw new Error(
			`docs: expected "m h dom mon dow user ${DOC_PATHS.updateMap}", got "${jobs[0]}"`,
		);
	const script = DEB_PATHS.updateMap;
	return `${fields.slice(0, 6).join(" ")} test -x ${script} && ${script}`;
}

/** /etc/cron.d/dmarc-dsn-processor: the doc's job, commented out until the admin enables it. */
export function cronFile(docCron: string): string {
	return [
		"# /etc/cron.d/dmarc-dsn-processor: rebuild the Postfix discard map from the recorded bounces",
		"# (see dmarc-dsn-processor(8) and /usr/share/doc/dmarc-dsn-processor/postfix.md).",
		"#",
		"# Disabled: the map has to exist and main.cf has to name it first. To enable, remove the",
		'# "#" in front of the job below. Use either this or the systemd timer',
		"# (systemctl enable --now dmarc-dsn-processor-update-map.timer), not both.",
		`#${cronJob(docCron)}`,
		"",
	].join("\n");
}

/** A Debian changelog entry (RFC 5322 date) for a native package built by this script. */
export function changelogFile(
	version: string,
	commit: string,
	maintainer: string,
	date: Date,
): string {
	return [
		`${PACKAGE} (${debVersion(version)}) unstable; urgency=medium`,
		"",
		`  * Release ${version} (commit ${commit}).`,
		"",
		` -- ${maintainer}  ${rfc5322Date(date)}`,
		"",
	].join("\n");
}

export function rfc5322Date(date: Date): string {
	const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
	const months = [
		"Jan",
		"Feb",
		"Mar",
		"Apr",
		"May",
		"Jun",
		"Jul",
		"Aug",
		"Sep",
		"Oct",
		"Nov",
		"Dec",
	];
	const p = (n: number) => String(n).padStart(2, "0");
	return `${days[date.getUTCDay()]}, ${p(date.getUTCDate())} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000`;
}

/** Fills @NAME@ placeholders; throws on one without a value, so a template cannot ship half-filled. */
export function fillTemplate(
	template: string,
	values: Readonly<Record<string, string>>,
): string {
	return template.replace(/@([A-Z_]+)@/g, (whole, name: string) => {
		const value = values[name];
		if (value === undefined) throw new Error(`no value for ${whole}`);
		return value;
	});
}
