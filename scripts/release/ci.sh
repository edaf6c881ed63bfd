#!/usr/bin/env bash
# CI of the release (issue 7), as root on Debian, from an `npm ci` checkout:
#   bash scripts/release/ci.sh
#
# Installs what it needs from Debian's packages (lintian, qemu-user, libc6-arm64-cross, musl,
# musl-tools), runs `npm run release` for every target (binaries, smoke tests natively, under
# qemu-aarch64 and under musl's loader, man page, .debs, SHA256SUMS; the .debs gzip-compressed
# to save CI time, the real release uses xz), then checks the artifacts, runs lintian on the
# .debs, and installs, inspects, removes and purges the host's .deb. Prints one
# "release: <check>: ok|FAILED" line per check and ends with "N passed, N failed".
# Leaves the machine as it found it: a data dir already at /var/lib/dmarc-dsn-processor
# (the e2e test's) is moved aside and put back.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
export PATH="/usr/sbin:/sbin:$PATH" DEBIAN_FRONTEND=noninteractive

PKG=dmarc-dsn-processor
DATA_DIR=/var/lib/$PKG
BIN=/usr/bin/$PKG
UPDATE_MAP=/usr/sbin/$PKG-update-map
CRON=/etc/cron.d/$PKG
DOC_DIR=/usr/share/doc/$PKG
UNIT=$PKG-update-map
FIXTURE=test/fixtures/postfix-01.eml
started=$SECONDS
passed=0
failed=0
LOG=$(mktemp -d)
SAVED=""

ok() {
	passed=$((passed + 1))
	echo "release: $1: ok"
}
fail() {
	failed=$((failed + 1))
	echo "release: $1: FAILED${2:+ ($2)}"
}
# check NAME COMMAND...: ok when the command succeeds; its output is shown when it fails
check() {
	local name=$1
	shift
	if "$@" >"$LOG/out" 2>&1; then ok "$name"; else
		sed 's/^/    /' "$LOG/out" | tail -n 30
		fail "$name"
	fi
}
finish() {
	if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'installed\|config-files'; then
		dpkg -P "$PKG" >/dev/null 2>&1
	fi
	if [ -n "$SAVED" ] && [ -d "$SAVED" ]; then
		rm -rf "$DATA_DIR"
		mv "$SAVED" "$DATA_DIR"
	fi
	rm -rf "$LOG"
}
trap finish EXIT

# snippet NAME: the one block of docs/postfix.md marked e2e=NAME (as scripts/e2e/lib.sh)
snippet() {
	awk -v name="e2e=$1" '
    open && /^```[[:space:]]*$/ { open = 0; next }
    open { print; next }
    /^```/ { n = split($0, words, /[[:space:]]+/); for (i = 1; i <= n; i++) if (words[i] == name) { open = 1 } }
  ' docs/postfix.md
}

# --- checks of the installed package (each prints why it fails) ------------------------------------
installed_version() {
	local got
	got=$("$BIN" --version 2>&1)
	echo "$got"
	[ "$(command -v "$PKG")" = "$BIN" ] && [ "$got" = "$version (commit $commit)" ]
}
data_dir_owner() {
	stat -c '%U:%G %a' "$DATA_DIR" && [ "$(stat -c '%U:%G %a' "$DATA_DIR")" = "nobody:nogroup 700" ]
}
nobody_ingests() {
	local out
	out=$(runuser -u nobody -- "$BIN" ingest CI0000001 '' "$DATA_DIR" <"$FIXTURE")
	echo "$out"
	[ "$out" = "recorded example.org: rua@example.net (5.1.1)" ] &&
		"$BIN" table "$DATA_DIR" | grep '^rua@example\.net discard:report for example\.org '
}
man_page() {
	man -w "$PKG" | grep -x "/usr/share/man/man8/$PKG.8.gz" &&
		man -w "$PKG-update-map" | grep "/usr/share/man/man8/" &&
		MANWIDTH=80 man 8 "$PKG" 2>&1 | grep 'dmarc-dsn-processor table'
}
update_script() {
	[ -x "$UPDATE_MAP" ] && diff <(snippet update-map) "$UPDATE_MAP"
}
cron_file() {
	local job expected
	job=$(snippet cron | grep -v '^#' | grep .)
	# the doc's schedule and user, the package's script behind a test -x guard
	expected="#${job% *} test -x $UPDATE_MAP && $UPDATE_MAP"
	cat "$CRON"
	grep -qxF "$expected" "$CRON" && ! grep -v '^#' "$CRON" | grep -q '[^[:space:]]'
}
timer_disabled() {
	[ -f "/lib/systemd/system/$UNIT.timer" ] && [ -f "/lib/systemd/system/$UNIT.service" ] &&
		[ "$(systemctl --root=/ is-enabled "$UNIT.timer" 2>&1)" = disabled ]
}
docs_installed() {
	cmp docs/postfix.md "$DOC_DIR/postfix.md" &&
		grep -F "argv=$BIN ingest" "$DOC_DIR/examples/master.cf" &&
		grep -F "argv=$BIN ingest" "$DOC_DIR/README.Debian" &&
		diff <(snippet main.cf) "$DOC_DIR/examples/main.cf" && [ -f "$DOC_DIR/copyright" ]
}
reinstall_keeps_data() {
	dpkg -i "$host_deb" && [ -s "$DATA_DIR/domains/example.org" ] &&
		[ "$(stat -c '%U %a' "$DATA_DIR")" = "nobody 700" ]
}
removed() {
	[ ! -e "$BIN" ] && [ ! -e "$UPDATE_MAP" ] && [ -s "$DATA_DIR/domains/example.org" ] && [ -f "$CRON" ] &&
		dpkg-query -W -f='${Status}' "$PKG" | grep config-files
}
purged() {
	[ ! -e "$DATA_DIR" ] && [ ! -e "$CRON" ] && ! dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q installed
}

# --- 1. tools from Debian's packages -------------------------------------------------------------
need=(lintian qemu-user libc6-arm64-cross musl musl-tools g++ binutils man-db)
missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	ok "tools (already installed)"
else
	echo "release: installing ${missing[*]}"
	check "tools" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends ${missing[*]}"
fi

# --- 2. npm run release: every target, its smoke test, man page, .debs, SHA256SUMS ---------------
version=$(node -p 'require("./package.json").version')
commit=$(git rev-parse --short HEAD)
npm run --silent release -- --strict --compression gzip 2>&1 | tee "$LOG/release"
release_status=${PIPESTATUS[0]}
release_failed=$(grep -cE '^release: .*: (FAILED|skipped)' "$LOG/release")
passed=$((passed + $(grep -cE '^release: .*: ok' "$LOG/release")))
failed=$((failed + release_failed))
if [ "$release_status" -ne 0 ] && [ "$release_failed" -eq 0 ]; then fail "npm run release" "exit $release_status"; fi

case $(dpkg --print-architecture) in
amd64) host_deb=dist/${PKG}_${version}_amd64.deb ;;
arm64) host_deb=dist/${PKG}_${version}_arm64.deb ;;
*) host_deb="" ;;
esac

# --- 3. the artifacts ---------------------------------------------------------------------------
check "SHA256SUMS verifies" sh -c 'cd dist && sha256sum --strict -c SHA256SUMS'
for target in linux-x64 linux-x64-musl linux-arm64; do
	check "SHA256SUMS lists $target" grep -q "  $PKG-$version-$target\$" dist/SHA256SUMS
done

# --- 4. lintian ----------------------------------------------------------------------------------
for deb in dist/"${PKG}_${version}"_*.deb; do
	[ -f "$deb" ] || continue
	# overridden tags (scripts/release/debian/lintian-overrides, with the reasons) do not count
	if lintian --fail-on error,warning --info --pedantic "$deb" >"$LOG/lintian" 2>&1; then
		grep -E '^[A-Z]: ' "$LOG/lintian" | sed 's/^/    /'
		ok "lintian $(basename "$deb") ($(grep -cE '^[EWIPX]: ' "$LOG/lintian") tags, $(grep -c '^[^#]' scripts/release/debian/lintian-overrides) overridden)"
	else
		sed 's/^/    /' "$LOG/lintian"
		fail "lintian $(basename "$deb")"
	fi
done

# --- 5. dpkg -i, what it installed, dpkg -r, dpkg -P ----------------------------------------------
if [ -z "$host_deb" ] || [ ! -f "$host_deb" ]; then
	fail "dpkg -i" "no .deb for $(dpkg --print-architecture)"
else
	if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'installed\|config-files'; then
		dpkg -P "$PKG" >/dev/null
	fi
	if [ -e "$DATA_DIR" ]; then
		SAVED=$DATA_DIR.release-ci.$$
		mv "$DATA_DIR" "$SAVED"
	fi

	check "dpkg -i $(basename "$host_deb")" dpkg -i "$host_deb"
	check "$BIN --version is $version (commit $commit)" installed_version
	check "data dir $DATA_DIR is nobody:nogroup 700" data_dir_owner
	check "pipe user nobody records a bounce in the data dir" nobody_ingests
	check "smoke test of the installed binary" env EXPECT_VERSION="$version (commit $commit)" sh scripts/release/smoke.sh "$BIN"
	check "man dmarc-dsn-processor(8)" man_page
	check "$UPDATE_MAP is docs/postfix.md's update script" update_script
	check "$CRON holds docs/postfix.md's job, commented out" cron_file
	check "$UNIT.timer installed, not enabled" timer_disabled
	if command -v systemd-analyze >/dev/null; then
		check "systemd-analyze verify $UNIT.{timer,service}" \
			systemd-analyze verify "/lib/systemd/system/$UNIT.timer" "/lib/systemd/system/$UNIT.service"
	fi
	check "$DOC_DIR has postfix.md and the Postfix snippets" docs_installed
	check "dpkg -i again keeps the recorded bounces" reinstall_keeps_data
	check "dpkg -r $PKG" dpkg -r "$PKG"
	check "dpkg -r removes the programs, keeps data dir and cron.d" removed
	check "dpkg -P $PKG" dpkg -P "$PKG"
	check "dpkg -P deletes the data dir and cron.d" purged
fi

# --- done ---------------------------------------------------------------------------------------
echo ""
for f in dist/"$PKG"-"$version"-linux-* dist/"${PKG}_${version}"_*.deb; do
	[ -f "$f" ] && printf '  %6s MB  %s\n' "$(($(stat -c %s "$f") / 1000000))" "$f"
done
echo "release: CI took $((SECONDS - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
