#!/bin/sh
# Smoke test of one dmarc-dsn-processor binary: scripts/release/smoke.sh BINARY
#
# Runs the binary the way Postfix and cron do (ingest a real Postfix DSN into a fresh data
# dir, quarantine a non-DSN, defer with exit 75 when the data dir is missing, print the map)
# and checks --version and --help. POSIX sh and a built-in sample DSN, so it runs on the
# target host itself too (Alpine's busybox sh included).
#
# SMOKE_RUNNER    command prefix, e.g. "qemu-aarch64 -L /usr/aarch64-linux-gnu" (unset: native)
# EXPECT_VERSION  what --version must print exactly, e.g. "0.1.0 (commit abc1234)"
set -u

BIN=${1:?usage: smoke.sh BINARY}
RUN=${SMOKE_RUNNER:-}
[ -f "$BIN" ] || {
	echo "smoke: $BIN: no such file" >&2
	exit 2
}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dmarc-smoke.XXXXXX") || exit 2
trap 'rm -rf "$WORK"' EXIT INT TERM
passed=0
failed=0

ok() {
	passed=$((passed + 1))
	echo "  ok $1"
}
fail() {
	failed=$((failed + 1))
	echo "  FAILED $1: $2"
}
# run ARGS... < stdin: the binary's stdout in $WORK/out, stderr in $WORK/err, exit code in $code
run() {
	# shellcheck disable=SC2086 # the runner is a command prefix, split on purpose
	$RUN "$BIN" "$@" >"$WORK/out" 2>"$WORK/err"
	code=$?
}
out() { cat "$WORK/out"; }

cat >"$WORK/dsn.eml" <<'DSN'
Return-Path: <MAILER-DAEMON>
Date: Mon,  1 Jan 2024 00:01:00 +0000 (UTC)
From: Mail Delivery System <MAILER-DAEMON@sender.test>
Subject: Undelivered Mail Returned to Sender
To: dmarc-reports@sender.test
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4A1B216A048.1704067260/mail.sender.test"
Message-Id: <20240101000100.4A1B216A048@mail.sender.test>

This is a MIME-encapsulated message.

--4A1B216A048.1704067260/mail.sender.test
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.sender.test.

Your message could not be delivered to one or more recipients.

--4A1B216A048.1704067260/mail.sender.test
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.sender.test
X-Postfix-Queue-ID: 4A1B216A048
X-Postfix-Sender: rfc822; dmarc-reports@sender.test
Arrival-Date: Mon,  1 Jan 2024 00:00:00 +0000 (UTC)

Final-Recipient: rfc822; rua@example.net
Original-Recipient: rfc822;rua@example.net
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.net
Diagnostic-Code: smtp; 550 5.1.1 <rua@example.net>: Recipient address rejected:
    User unknown

--4A1B216A048.1704067260/mail.sender.test
Content-Description: Undelivered Message
Content-Type: message/rfc822

Return-Path: <dmarc-reports@sender.test>
From: DMARC Reports <dmarc-reports@sender.test>
To: rua@example.net
Subject: Report Domain: example.org Submitter: sender.test Report-ID: <example.org-1704067200@sender.test>
Date: Mon, 01 Jan 2024 00:00:00 +0000
Message-ID: <example.org-1704067200@sender.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_report_boundary"

--=_report_boundary
Content-Type: text/plain; charset=us-ascii

This is an aggregate report.

--=_report_boundary
Content-Type: application/gzip
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="sender.test!example.org!1704067200!1704153599.xml.gz"

H4sIAAAAAAAAA2WPyw6CMBBF937FhD20GCMuhrLzC3RNKh2x2ldKNfr3RhExcTlnztybweZuDdwo
Dtq7OisLngG5zivt+jrb77b5JoNGLPBIpA6yu4gFAEYKPqbWUpJKJvliAOhj3zppSQzkFMUi0ZCQ
fekofU61EnSXNhjKy4qv+Lpaco5s3r5qpvG3B4M3unu04XowejjR2wRA5a3UbgotfOyRfdgoBBHp
TF1CFsbw/yBk85dPUXLk3RkBAAA=

--=_report_boundary--

--4A1B216A048.1704067260/mail.sender.test--
DSN
printf 'From: someone@example.net\nTo: dmarc-reports@sender.test\nSubject: hello\n\nnot a bounce\n' >"$WORK/hello.eml"

# --version: VERSION (commit SHORT-SHA), built in by scripts/build.ts
run --version </dev/null
if [ -n "${EXPECT_VERSION:-}" ]; then
	if [ "$code" = 0 ] && [ "$(out)" = "$EXPECT_VERSION" ]; then ok "--version"; else fail "--version" "exit $code, '$(out)', expected '$EXPECT_VERSION'"; fi
elif [ "$code" = 0 ] && out | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+[^ ]* \(commit [0-9a-f]{7,}\)$'; then
	ok "--version ($(out))"
else
	fail "--version" "exit $code, '$(out)'"
fi

run --help </dev/null
if [ "$code" = 0 ] && grep -q ingest "$WORK/out" && grep -q table "$WORK/out"; then ok "--help"; else fail "--help" "exit $code"; fi

DATA=$WORK/data
mkdir "$DATA"
run ingest 4A1B216A048 "" "$DATA" <"$WORK/dsn.eml"
expected="recorded example.org: rua@example.net (5.1.1)"
if [ "$code" = 0 ] && [ "$(out)" = "$expected" ]; then ok "ingest records a bounce"; else fail "ingest records a bounce" "exit $code, '$(out)' $(cat "$WORK/err")"; fi

if grep -q '"final_rcpt":"rua@example.net"' "$DATA/domains/example.org" 2>/dev/null; then ok "data dir holds the record"; else fail "data dir holds the record" "no rua@example.net in $DATA/domains/example.org"; fi

run ingest --dry-run <"$WORK/dsn.eml"
if [ "$code" = 0 ] && grep -Eq '"outcome": ?"record"' "$WORK/out"; then ok "ingest --dry-run"; else fail "ingest --dry-run" "exit $code, '$(out)'"; fi

run ingest 5984B16827C "" "$DATA" <"$WORK/hello.eml"
if [ "$code" = 0 ] && [ "$(out)" = "quarantined no-delivery-report: saved/5984B16827C.no-delivery-report" ] && [ -f "$DATA/saved/5984B16827C.no-delivery-report" ]; then
	ok "ingest quarantines a non-bounce"
else
	fail "ingest quarantines a non-bounce" "exit $code, '$(out)'"
fi

run ingest BD0C1168194 "" "$WORK/missing" <"$WORK/dsn.eml"
if [ "$code" = 75 ] && out | grep -q '^4\.3\.0 '; then ok "ingest defers (75) without a data dir"; else fail "ingest defers (75) without a data dir" "exit $code, '$(out)'"; fi

run table "$DATA" </dev/null
if [ "$code" = 0 ] && out | grep -Eqx 'rua@example\.net discard:report for example\.org bounced [0-9]{8} last time' && [ "$(out | wc -l)" -eq 1 ]; then
	ok "table prints the map"
else
	fail "table prints the map" "exit $code, '$(out)' $(cat "$WORK/err")"
fi
cp "$WORK/out" "$WORK/map.expected"

run table --days 30 --output "$WORK/map" "$DATA" </dev/null
if [ "$code" = 0 ] && cmp -s "$WORK/map" "$WORK/map.expected"; then ok "table --output writes the same map"; else fail "table --output writes the same map" "exit $code"; fi

run table --days 99 "$DATA" </dev/null
if [ "$code" = 64 ]; then ok "table rejects --days 99 (64)"; else fail "table rejects --days 99 (64)" "exit $code"; fi

if [ "$failed" = 0 ]; then echo "smoke: all $passed checks ok"; else echo "smoke: $failed of $((passed + failed)) checks FAILED"; fi
[ "$failed" = 0 ]
