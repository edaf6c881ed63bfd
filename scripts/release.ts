// `npm run release`: the release binaries, their smoke tests, the man page, the .debs and
// SHA256SUMS, all in dist/:
//
//   dist/dmarc-dsn-processor-<version>-linux-{x64,x64-musl,arm64}   (scripts/build.ts' compile())
//   dist/dmarc-dsn-processor.8                                      (dmarc-dsn-processor(8))
//   dist/dmarc-dsn-processor_<version>_{amd64,arm64}.deb
//   dist/SHA256SUMS
//
// Each binary is smoke-tested (scripts/release/smoke.sh) where this host can run it:
// natively, an arm64 one under qemu-user (Debian: qemu-user, libc6-arm64-cross), the musl
// one under musl's loader (Debian: musl) with a stand-in libstdc++ (scripts/release/musl/).
// Prints "release: <step>: ok|FAILED|skipped (why)" per step; exits 1 when a step failed,
// or, with --strict, was skipped.
//
// Options: --target NAME (repeatable: x64, x64-musl, arm64; default all), --skip-deb,
// --skip-smoke, --compression xz|gzip (the .debs' data; default xz), --strict.
// DEBFULLNAME and DEBEMAIL name the .deb's maintainer (default: the last commit's author).
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import pkg from "../package.json" with { type: "json" };
import {
	buildCommit,
	manPage as buildManPage,
	compile,
	helpOf,
} from "./build.ts";
import { buildDeb } from "./release/deb.ts";
import {
	binaryName,
	PACKAGE,
	selectTargets,
	sha256sums,
	type Target,
} from "./release/lib.ts";

const DIST = "dist";
const MAN_PAGE = join(DIST, `${PACKAGE}.8`);
const SMOKE = "scripts/release/smoke.sh";
const MUSL_LOADER = "/lib/ld-musl-x86_64.so.1";

const { values } = parseArgs({
	options: {
		target: { type: "string", multiple: true, default: [] },
		"skip-deb": { type: "boolean", default: false },
		"skip-smoke": { type: "boolean", default: false },
		compression: { type: "string", default: "xz" },
		strict: { type: "boolean", default: false },
	},
});
const compression = values.compression;
if (compression !== "xz" && compression !== "gzip") {
	console.error(
		`release: --compression takes xz or gzip, not '${compression}'`,
	);
	process.exit(64);
}

const steps = { ok: 0, failed: 0, skipped: 0 };
function report(step: string, outcome: "ok" | "FAILED" | "skipped", note = "") {
	steps[outcome === "FAILED" ? "failed" : outcome] += 1;
	const why = note ? ` (${note})` : "";
	console.log(`release: ${step}: ${outcome}${why}`);
}
function mb(path: string): string {
	return `${(statSync(path).size / 1e6).toFixed(1)} MB`;
}
function has(command: string): boolean {
	return (
		spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" })
			.status === 0
	);
}
function git(...args: string[]): string | undefined {
	try {
		return execFileSync("git", args, {
			encoding: "utf8",
			stdio: ["ignore", "pipe", "ignore"],
		}).trim();
	} catch {
		return undefined;
	}
}

const version = pkg.version;
const commit = buildCommit();
const targets = selectTargets(values.target);
if (commit === "unknown") {
	console.error(
		"release: not in a git checkout: the binaries would not know their commit",
	);
	process.exit(1);
}
if (git("status", "--porcelain", "--untracked-files=no")) {
	console.log(
		`release: note: uncommitted changes; the binaries say commit ${commit} but hold the working tree`,
	);
}
const epoch = Number(
	process.env.SOURCE_DATE_EPOCH ?? git("log", "-1", "--format=%ct"),
);
const date = Number.isFinite(epoch) ? new Date(epoch * 1000) : new Date();
const expectVersion = `${version} (commit ${commit})`;
mkdirSync(DIST, { recursive: true });
const started = performance.now();

// 1. compile
const built = new Map<Target, string>();
for (const target of targets) {
	const out = join(DIST, binaryName(version, target));
	rmSync(out, { force: true });
	const status = compile({ outfile: out, target: target.bunTarget, commit });
	if (status === 0 && existsSync(out)) {
		built.set(target, out);
		report(`build ${target.name}`, "ok", `${target.bunTarget}, ${mb(out)}`);
	} else report(`build ${target.name}`, "FAILED", `bun build exited ${status}`);
}

// 2. smoke tests
const scratch = mkdtempSync(join(tmpdir(), "dmarc-dsn-processor-release-"));
function runner(
	target: Target,
	binary: string,
): { prefix: string; how: string } | string {
	const host = process.arch;
	if (target.libc === "glibc") {
		if (target.arch === host) return { prefix: "", how: "native" };
		const [qemu, sysroot, packages] =
			target.arch === "arm64"
				? [
						"qemu-aarch64",
						"/usr/aarch64-linux-gnu",
						"qemu-user libc6-arm64-cross",
					]
				: [
						"qemu-x86_64",
						"/usr/x86_64-linux-gnu",
						"qemu-user libc6-amd64-cross",
					];
		if (!has(qemu) || !existsSync(join(sysroot, "lib")))
			return `needs ${qemu} and ${sysroot}: apt-get install ${packages}`;
		return { prefix: `${qemu} -L ${sysroot}`, how: `${qemu}` };
	}
	if (target.arch !== host)
		return `a musl ${target.arch} binary on an ${host} host`;
	if (!existsSync(MUSL_LOADER))
		return `needs ${MUSL_LOADER}: apt-get install musl`;
	const list = spawnSync(MUSL_LOADER, ["--list", binary], { encoding: "utf8" });
	if (list.status === 0) return { prefix: "", how: "native musl" };
	// Debian has musl's loader and libc, not a libstdc++ built for musl
	const shim = spawnSync(
		"sh",
		["scripts/release/musl/libstdcxx.sh", binary, join(scratch, "musl-lib")],
		{ encoding: "utf8" },
	);
	if (shim.status !== 0)
		return `no libstdc++.so.6 for musl, and building a stand-in failed: ${shim.stderr.trim()}`;
	return {
		prefix: `env LD_LIBRARY_PATH=${shim.stdout.trim()}`,
		how: "musl loader, stand-in libstdc++",
	};
}
if (!values["skip-smoke"]) {
	for (const [target, binary] of built) {
		const how = runner(target, binary);
		if (typeof how === "string") {
			report(`smoke ${target.name}`, "skipped", how);
			continue;
		}
		const t0 = performance.now();
		const run = spawnSync("sh", [SMOKE, binary], {
			encoding: "utf8",
			env: {
				...process.env,
				SMOKE_RUNNER: how.prefix,
				EXPECT_VERSION: expectVersion,
			},
		});
		const seconds = ((performance.now() - t0) / 1000).toFixed(1);
		process.stdout.write(run.stdout.replace(/^(?=.)/gm, "  "));
		if (run.status === 0)
			report(`smoke ${target.name}`, "ok", `${how.how}, ${seconds} s`);
		else report(`smoke ${target.name}`, "FAILED", how.how);
	}
}

// 3. the man page, from the help text of a binary this host runs (else the sources)
let manPage: string | undefined;
try {
	const native = [...built].find(
		([t]) => t.arch === process.arch && t.libc === "glibc",
	)?.[1];
	manPage = buildManPage(
		(...args) =>
			native
				? helpOf(native, args)
				: helpOf(process.execPath, ["src/cli.ts", ...args]),
		commit,
		date,
	);
	writeFileSync(MAN_PAGE, manPage);
	const warnings = has("groff")
		? spawnSync("groff", ["-man", "-Tutf8", "-ww", "-z", MAN_PAGE], {
				encoding: "utf8",
			}).stderr.trim()
		: "";
	if (warnings) report("man page", "FAILED", `groff: ${warnings}`);
	else
		report(
			"man page",
			"ok",
			`${MAN_PAGE}, from ${native ? "the binary's" : "the sources'"} help`,
		);
} catch (error) {
	report("man page", "FAILED", String(error));
}

// 4. the .debs
const debs: string[] = [];
if (!values["skip-deb"]) {
	const maintainer =
		process.env.DEBFULLNAME && process.env.DEBEMAIL
			? `${process.env.DEBFULLNAME} <${process.env.DEBEMAIL}>`
			: (git("log", "-1", "--format=%an <%ae>") ?? "");
	for (const [target, binary] of built) {
		if (!target.debArch) continue;
		const step = `deb ${target.debArch}`;
		if (!manPage) {
			report(step, "FAILED", "no man page");
			continue;
		}
		if (!has("dpkg-deb")) {
			report(step, "skipped", "needs dpkg-deb (Debian)");
			continue;
		}
		try {
			const t0 = performance.now();
			const deb = buildDeb({
				version,
				commit,
				arch: target.debArch,
				binary,
				manPage,
				outDir: DIST,
				compression,
				maintainer,
				date,
			});
			debs.push(deb);
			const seconds = ((performance.now() - t0) / 1000).toFixed(1);
			report(step, "ok", `${deb}, ${mb(deb)}, ${compression}, ${seconds} s`);
		} catch (error) {
			report(step, "FAILED", String(error));
		}
	}
}

// 5. SHA256SUMS over everything this run wrote
const artifacts = [...built.values(), ...(manPage ? [MAN_PAGE] : []), ...debs];
writeFileSync(
	join(DIST, "SHA256SUMS"),
	sha256sums(
		artifacts.map((path) => ({
			name: basename(path),
			sha256: createHash("sha256").update(readFileSync(path)).digest("hex"),
		})),
	),
);
report("SHA256SUMS", "ok", `${artifacts.length} files`);
rmSync(scratch, { recursive: true, force: true });

console.log("");
for (const path of artifacts) console.log(`  ${mb(path).padStart(9)}  ${path}`);
const seconds = ((performance.now() - started) / 1000).toFixed(0);
console.log(
	`release: ${version} (commit ${commit}) in ${seconds} s: ${steps.ok} ok, ${steps.failed} failed, ${steps.skipped} skipped`,
);
process.exit(steps.failed > 0 || (values.strict && steps.skipped > 0) ? 1 : 0);
