# shellcheck shell=bash
# Scenario 11 (issue 11): the strongest trust options under a real Postfix. The pipe service
# runs for this scenario with `--dkim-key` (our own test key, a file: no DNS) and
# `--require-dkim` added to the documented `--sender`. A report signed with that key bounces:
# recorded and mapped. A forged bounce that replays a genuine signed report (sent to the
# attacker's own rua address) with an unsigned `Cc:` naming a victim: quarantined, not mapped.
# The documented service line is put back at the end.

S11_PUB=/etc/postfix/e2e-s11-dkim.pub # under /etc/postfix: restored when the run ends
S11_SELECTOR=e2e11

# s11_sign PRIVATE_KEY DOMAIN: the message on stdin, DKIM-signed (relaxed/relaxed, rsa-sha256)
# over From, To, Subject, Date and Message-ID, by mailauth's signer. No Cc in h=.
s11_sign() {
  (cd "$ROOT" && node --input-type=module -e '
import { readFileSync } from "node:fs";
import sign from "mailauth/lib/dkim/sign.js";
const [key, domain, selector] = process.argv.slice(1);
const message = readFileSync(0);
const { signatures, errors } = await sign.dkimSign(message, {
	canonicalization: "relaxed/relaxed",
	signatureData: [{ signingDomain: domain, selector, privateKey: readFileSync(key),
		headerList: "from:to:subject:date:message-id" }],
});
if (errors.length > 0 || !signatures) {
	console.error(JSON.stringify(errors));
	process.exit(1);
}
process.stdout.write(Buffer.concat([Buffer.from(signatures.replace(/\r\n/g, "\n")), message]));
' "$1" "$2" "$S11_SELECTOR")
}

# s11_forged_dsn MESSAGE_ID VICTIM HEADERS_FILE: a DSN written by the attacker: it names
# VICTIM as failed and returns HEADERS_FILE (a genuine signed header block plus a Cc)
s11_forged_dsn() {
  local boundary="s11.${1%%@*}"
  cat <<EOF
From: Mail Delivery System <MAILER-DAEMON@mx.bounce.test>
To: ${REPORT_SENDER}
Subject: Undelivered Mail Returned to Sender
Date: $(date -u -R)
Message-ID: <$1>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"

--${boundary}
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered.

--${boundary}
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.bounce.test
X-Postfix-Sender: rfc822; ${REPORT_SENDER}

Final-Recipient: rfc822; $2
Original-Recipient: rfc822;$2
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--${boundary}
Content-Type: text/rfc822-headers

$(cat "$3")

--${boundary}--
EOF
}

s11_service() { # s11_service ENTRY: set the pipe service's whole master.cf entry and reload
  postconf -M "dmarc_dsn_processor/unix=$1" && postfix reload >/dev/null 2>&1
  sleep 2 # the reload is asynchronous: let running pipe processes be replaced
}

s11() {
  local d=s11.example.org a=s11@bounce.test attacker=s11-attacker@bounce.test
  local victim=s11-victim@bounce.test domain=${REPORT_SENDER#*@} documented trusted id qid rc=0
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/s11.key" 2>/dev/null &&
    openssl pkey -in "$WORK/s11.key" -pubout -out "$S11_PUB" && chmod 0644 "$S11_PUB"
  check "our test key: RSA-2048, public half in $S11_PUB (a PEM file, no DNS)" [ -s "$S11_PUB" ] || return 1
  # the whole entry (postconf -Fh would glue "pipe" to the continuation line)
  documented=$(postconf -M dmarc_dsn_processor/unix)
  check "documented service line carries --sender" grep -qF -- "--sender $REPORT_SENDER" <<<"$documented" || return 1
  trusted=${documented/ ingest / ingest --dkim-key $S11_SELECTOR._domainkey.$domain=$S11_PUB --require-dkim }
  s11_service "$trusted"
  info "argv for this scenario: ${trusted#*argv=}"
  s11_run "$d" "$a" "$attacker" "$victim" "$domain" || rc=1
  s11_service "$documented"
  check "documented service line restored" [ "$(postconf -M dmarc_dsn_processor/unix)" = "$documented" ]
  return "$rc"
}

s11_run() {
  local d=$1 a=$2 attacker=$3 victim=$4 domain=$5 id qid
  # a genuine report of ours, signed, rejected by the remote MX: Postfix's own DSN returns it
  id=$(rid s11-signed)
  bash "$E2E/make-report" "$d" "$id" "$a" "$REPORT_SENDER" | s11_sign "$WORK/s11.key" "$domain" >"$WORK/s11-signed.eml" ||
    { bad "signing the report failed"; return 1; }
  sendmail -i -f "$REPORT_SENDER" -- "$a" <"$WORK/s11-signed.eml"
  await_dsns "$id" non-delivery 1 sent || return 1
  check "recorded: $a under $d (our signature verified)" has_failed_record "$a" "$d" || {
    info "$(pipe_line "${DSNS[0]}" | sed -E 's/.*(status=)/\1/')"
    return 1
  }
  EXPECTED_KEYS+=("$a")
  # the attacker holds a genuine signed report to their own rua address and adds a Cc
  id=$(rid s11-to-attacker)
  bash "$E2E/make-report" "$d" "$id" "$attacker" "$REPORT_SENDER" | s11_sign "$WORK/s11.key" "$domain" |
    sed '/^$/q' | sed '/^$/d' >"$WORK/s11-replay.headers"
  printf 'Cc: %s\n' "$victim" >>"$WORK/s11-replay.headers"
  id=$(rid s11-forged)
  s11_forged_dsn "$id" "$victim" "$WORK/s11-replay.headers" | sendmail -i -f '<>' -- "$REPORT_SENDER"
  check "forged replay: queued" wait_for 15 has_qid "$id" || return 1
  qid=$(qids_of "$id" | head -n 1)
  check "forged replay: pipe delivery status=sent" wait_for 30 pipe_is "$qid" sent || { info "$(pipe_line "$qid")"; return 1; }
  info "$(pipe_line "$qid" | sed -E 's/.*(status=)/\1/')"
  check "forged replay: quarantined as untrusted-dkim-unsigned-recipient ($(quarantine_of "$qid"))" \
    [ "$(quarantine_of "$qid")" = "saved/$qid.untrusted-dkim-unsigned-recipient" ]
  check "nothing recorded for the victim $victim" no_failed_record "$victim"
  rebuild_map || return 1
  if not_on_map "$a" && grep -q "started bouncing in the last 24 hours" "$WORK/cron.err"; then
    # scenario 7's 200 new addresses today still count: confirm, as an operator would
    info "surge breaker held $a back: dmarc-dsn-processor table --confirm-surge"
    "$BIN" table --confirm-surge "$DATA_DIR" >/dev/null 2>&1
    rebuild_map || return 1
  fi
  check "map line: $(map_line "$a")" on_map "$a" "$d"
  check "the victim $victim is not on the map" not_on_map "$victim"
  check "map holds exactly the recorded addresses" map_is_expected
}

SCENARIOS+=("11|--require-dkim with a key file: a signed report's bounce mapped, a Cc-forged replay quarantined|s11")
