// Builds dmarc-dsn-processor_<version>_<arch>.deb with dpkg-deb from a release binary:
// the binary, the map update script and the cron job from docs/postfix.md, the systemd
// units, the man page and the docs. Maintainer scripts and templates: scripts/release/debian/.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
	chmodSync,
	copyFileSync,
	lstatSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import {
	changelogFile,
	cronFile,
	cronJob,
	DEB_PATHS,
	debName,
	debVersion,
	fillTemplate,
	glibcRequirement,
	PACKAGE,
	snippet,
	toDebPaths,
} from "./lib.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const DEBIAN = join(HERE, "debian");
const ROOT = join(HERE, "..", "..");
const TIMER = "dmarc-dsn-processor-update-map";

export interface DebOptions {
	version: string;
	commit: string;
	arch: "amd64" | "arm64";
	binary: string;
	/** the roff source of dmarc-dsn-processor(8) */
	manPage: string;
	outDir: string;
	compression: "xz" | "gzip";
	maintainer: string;
	/** the changelog's date; also SOURCE_DATE_EPOCH for dpkg-deb */
	date: Date;
}

/** The doc blocks the package ships, at the package's paths. */
export function docBlocks(markdown: string): {
	updateMap: string;
	mainCf: string;
	masterCf: string;
	cron: string;
	cronJob: string;
} {
	return {
		// shipped unchanged: the e2e test runs this very text
		updateMap: snippet(markdown, "update-map"),
		mainCf: snippet(markdown, "main.cf"),
		masterCf: toDebPaths(snippet(markdown, "master.cf")),
		cron: cronFile(snippet(markdown, "cron")),
		cronJob: cronJob(snippet(markdown, "cron")),
	};
}

export function buildDeb(options: DebOptions): string {
	const doc = readFileSync(join(ROOT, "docs", "postfix.md"), "utf8");
	const blocks = docBlocks(doc);
	const stage = mkdtempSync(join(tmpdir(), "dmarc-dsn-processor-deb-"));
	try {
		chmodSync(stage, 0o755);
		const put = (path: string, content: string | Buffer, mode = 0o644) => {
			const file = join(stage, path);
			mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
			writeFileSync(file, content);
			chmodSync(file, mode);
		};
		const docDir = DEB_PATHS.doc.slice(1);
		const gz = (text: string) => gzipSync(Buffer.from(text), { level: 9 });

		mkdirSync(join(stage, "usr/bin"), { recursive: true, mode: 0o755 });
		copyFileSync(options.binary, join(stage, DEB_PATHS.binary));
		chmodSync(join(stage, DEB_PATHS.binary), 0o755);
		put(DEB_PATHS.updateMap.slice(1), blocks.updateMap, 0o755);
		put(`etc/cron.d/${PACKAGE}`, blocks.cron);
		for (const unit of [`${TIMER}.service`, `${TIMER}.timer`])
			put(
				`lib/systemd/system/${unit}`,
				readFileSync(join(DEBIAN, unit), "utf8"),
			);
		put(`usr/share/man/man8/${PACKAGE}.8.gz`, gz(options.manPage));
		symlinkSync(
			`${PACKAGE}.8.gz`,
			join(stage, `usr/share/man/man8/${TIMER}.8.gz`),
		);
		put(`${docDir}/copyright`, readFileSync(join(DEBIAN, "copyright")));
		put(
			`${docDir}/changelog.gz`,
			gz(
				changelogFile(
					options.version,
					options.commit,
					options.maintainer,
					options.date,
				),
			),
		);
		put(
			`${docDir}/README.Debian`,
			fillTemplate(readFileSync(join(DEBIAN, "README.Debian.in"), "utf8"), {
				MASTER_CF: indent(blocks.masterCf),
				MAIN_CF: indent(blocks.mainCf),
			}),
		);
		put(`${docDir}/postfix.md`, doc);
		put(`${docDir}/examples/master.cf`, blocks.masterCf);
		put(`${docDir}/examples/main.cf`, blocks.mainCf);
		put(
			`usr/share/lintian/overrides/${PACKAGE}`,
			readFileSync(join(DEBIAN, "lintian-overrides")),
		);

		const control = fillTemplate(
			readFileSync(join(DEBIAN, "control.in"), "utf8"),
			{
				VERSION: debVersion(options.version),
				ARCH: options.arch,
				MAINTAINER: options.maintainer,
				INSTALLED_SIZE: String(installedSizeKiB(stage)),
				DEPENDS: libcDepends(options.binary),
			},
		);
		const md5sums = listFiles(stage)
			.map(
				(f) =>
					`${createHash("md5")
						.update(readFileSync(join(stage, f)))
						.digest("hex")}  ${f}\n`,
			)
			.join("");
		put("DEBIAN/control", control);
		put("DEBIAN/md5sums", md5sums);
		put("DEBIAN/conffiles", `/etc/cron.d/${PACKAGE}\n`);
		for (const script of ["postinst", "prerm", "postrm"])
			put(
				`DEBIAN/${script}`,
				readFileSync(join(DEBIAN, script), "utf8"),
				0o755,
			);

		const out = join(options.outDir, debName(options.version, options.arch));
		execFileSync(
			"dpkg-deb",
			["--root-owner-group", `-Z${options.compression}`, "--build", stage, out],
			{
				stdio: ["ignore", "ignore", "inherit"],
				env: {
					...process.env,
					SOURCE_DATE_EPOCH: String(Math.floor(options.date.getTime() / 1000)),
				},
			},
		);
		return out;
	} finally {
		rmSync(stage, { recursive: true, force: true });
	}
}

function indent(block: string): string {
	return block
		.split("\n")
		.map((l) => (l === "" ? l : `    ${l}`))
		.join("\n");
}

/** Regular files below dir (not DEBIAN/), relative, sorted. */
function listFiles(dir: string, sub = ""): string[] {
	return readdirSync(join(dir, sub), { withFileTypes: true })
		.flatMap((entry) => {
			const rel = sub ? `${sub}/${entry.name}` : entry.name;
			if (rel === "DEBIAN") return [];
			if (entry.isDirectory()) return listFiles(dir, rel);
			return entry.isFile() ? [rel] : [];
		})
		.sort();
}

/** As dpkg-gencontrol: 1 KiB per directory and symlink, and each file's size rounded up. */
function installedSizeKiB(dir: string): number {
	let total = 0;
	const walk = (path: string) => {
		for (const entry of readdirSync(path, { withFileTypes: true })) {
			const full = join(path, entry.name);
			if (relative(dir, full) === "DEBIAN") continue;
			if (entry.isDirectory()) {
				total += 1;
				walk(full);
			} else if (entry.isSymbolicLink()) total += 1;
			else total += Math.ceil(lstatSync(full).size / 1024);
		}
	};
	walk(dir);
	return total;
}

/** `libc6 (>= 2.x)` for the newest GLIBC_ symbol version the binary needs. */
function libcDepends(binary: string): string {
	const info = execFileSync("readelf", ["--version-info", "--wide", binary], {
		encoding: "utf8",
		maxBuffer: 64 * 1024 * 1024,
	});
	const glibc = glibcRequirement(info);
	if (!glibc)
		throw new Error(`${binary} needs no GLIBC_ version: not a glibc binary?`);
	return `libc6 (>= ${glibc})`;
}
