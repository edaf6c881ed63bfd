# shellcheck shell=bash
# Issue 12: every map key is exactly the address that bounced, as Postfix looks it up.
# Sourced by scripts/e2e-postfix (helpers from it and from scripts/e2e/lib.sh).

# the surge breaker counts scenario 7's 200 addresses of today: confirm, then rebuild
s12_rebuild() {
  "$BIN" table --confirm-surge "$DATA_DIR" >/dev/null 2>&1
  rebuild_map
}

# s12_route DOMAIN: send DOMAIN to the fake MX, which rejects it with 550 (until the run ends:
# /etc/postfix is restored then)
s12_route() {
  printf '%s smtp:[127.0.0.1]:2525\n' "$1" >>/etc/postfix/e2e_routes
  printf '%s 550 5.1.1 User unknown\n' "$1" >>/etc/postfix/e2e_fake_mx_access
}

# sent_to_mx QID RCPT: the delivery of RCPT went to the fake MX; discarded: to discard(8)
sent_to_mx() { delivery_line "$1" "$2" | grep -qE 'relay=127\.0\.0\.1\[127\.0\.0\.1\]:2525, '; }
discarded() { delivery_line "$1" "$2" | grep -qE 'postfix/discard\[.*status=sent '; }

s12_plus() {
  # Postfix writes Original-Recipient: rfc822;dmarc+4711@bounce.test: not xtext ("+47" = "G")
  local d=s12plus.example.org a=dmarc+4711@bounce.test id
  id=$(rid s12-plus-first)
  send_report "$d" "$id" "$REPORT_SENDER" "" "$a"
  await_dsns "$id" non-delivery 1 sent || return 1
  check "fake MX rejected $a with 550" has_delivery "$QID" "$a" bounced || return 1
  check "recorded: failed $a under $d" has_failed_record "$a" "$d" || return 1
  check "nothing recorded for the xtext-decoded dmarcg11@bounce.test" no_failed_record dmarcg11@bounce.test
  EXPECTED_KEYS+=("$a")
  s12_rebuild || return 1
  check "map line: $(map_line "$a")" on_map "$a" "$d"
  check "postmap -q $a finds discard:" postmap_has "$a"
  check "map holds exactly the recorded addresses" map_is_expected
  id=$(rid s12-plus-next)
  send_report "$d" "$id" "$REPORT_SENDER" "" "$a"
  check "next report <$id> queued" wait_for 15 has_qid "$id" || return 1
  QID=$(qids_of "$id" | head -n 1)
  check "next report to $a discarded" wait_for 20 has_delivery "$QID" "$a" sent || return 1
  info "$(delivery_line "$QID" "$a" | sed -E 's/.*(relay=)/\1/')"
  check "... by discard(8)" discarded "$QID" "$a"
}

s12_base() {
  # with dmarc@ on the map, the indexed map would also answer for dmarc+customer7@
  # (user+ext -> user fallback); the documented unionmap wrapper must stop that
  local d=s12base.example.org a=s12dmarc@bounce.test b=s12dmarc+customer7@bounce.test id
  id=$(rid s12-base-first)
  send_report "$d" "$id" "$REPORT_SENDER" "" "$a"
  await_dsns "$id" non-delivery 1 sent || return 1
  check "recorded: failed $a under $d" has_failed_record "$a" "$d" || return 1
  EXPECTED_KEYS+=("$a")
  s12_rebuild || return 1
  check "map line: $(map_line "$a")" on_map "$a" "$d"
  check "the hash map alone would answer for $b (postmap -q, the fallback key $a)" postmap_has "$a"
  id=$(rid s12-base-tagged)
  send_report "$d" "$id" "$REPORT_SENDER" "" "$b"
  check "report <$id> to $b queued" wait_for 15 has_qid "$id" || return 1
  QID=$(qids_of "$id" | head -n 1)
  check "report to $b was delivered to the remote MX (it answered 550), not discarded" \
    wait_for 20 sent_to_mx "$QID" "$b" || { info "$(delivery_line "$QID" "$b")"; return 1; }
  info "$(delivery_line "$QID" "$b" | sed -E 's/.*(relay=)/\1/')"
  check "... no discard(8) line for it" not discarded "$QID" "$b"
  # control: the same map read as a bare indexed map does fall back (why the wrapper exists)
  local maps c=s12dmarc+control@bounce.test
  maps=$(postconf -h transport_maps)
  postconf -e "transport_maps = $(sed -E 's/unionmap:\{regexp:\{\}, ([^ ]*_discards)\}/\1/' <<<"$maps")"
  postfix reload >/dev/null 2>&1
  sleep 1
  send_report "$d" "$(rid s12-base-control)" "$REPORT_SENDER" "" "$c"
  check "control, without the unionmap wrapper: $c is discarded by the fallback to $a" \
    wait_for 20 eval 'QID=$(qids_of "$(rid s12-base-control)" | head -n 1); [ -n "$QID" ] && discarded "$QID" "$c"'
  postconf -e "transport_maps = $maps"
  postfix reload >/dev/null 2>&1
  sleep 1
  # its own bounce is its own key
  await_dsns "$id" non-delivery 1 sent || return 1
  check "recorded: failed $b under $d" has_failed_record "$b" "$d" || return 1
  EXPECTED_KEYS+=("$b")
  s12_rebuild || return 1
  check "map holds exactly the recorded addresses" map_is_expected
}

s12_alias() {
  # our own Postfix plays the remote that expands an alias: one member fails (550), the
  # other accepts; the DSN says "<member> (expanded from <alias>)"
  local d=s12alias.example.org alias=s12alias@alias.test member=s12member@bounce.test ok=s12ok@accept.test id saved before
  before=$(postconf -h virtual_alias_maps)
  postconf -e "virtual_alias_maps = inline:{ { $alias = $member, $ok } }"
  postfix reload >/dev/null 2>&1
  sleep 1
  id=$(rid s12-alias-first)
  send_report "$d" "$id" "$REPORT_SENDER" "" "$alias"
  await_dsns "$id" non-delivery 1 sent || { postconf -e "virtual_alias_maps = $before"; postfix reload >/dev/null 2>&1; return 1; }
  check "alias expanded: $member rejected (550), $ok accepted" \
    eval 'has_delivery "$QID" "$member" bounced && has_delivery "$QID" "$ok" sent'
  saved=$(quarantine_of "${DSNS[0]}")
  check "DSN quarantined as alias-member ($saved)" grep -q '\.alias-member$' <<<"$saved"
  check "nothing recorded for the alias $alias or the member $member" \
    eval 'no_failed_record "$alias" && no_failed_record "$member"'
  s12_rebuild || return 1
  check "neither the alias nor the member is on the map" eval 'not_on_map "$alias" && not_on_map "$member"'
  check "map holds exactly the recorded addresses" map_is_expected
  id=$(rid s12-alias-next)
  send_report "$d" "$id" "$REPORT_SENDER" "" "$alias"
  check "next report <$id> to $alias queued" wait_for 15 has_qid "$id" || return 1
  QID=$(qids_of "$id" | head -n 1)
  check "... its member $ok still gets it (status=sent via the remote MX)" wait_for 20 has_delivery "$QID" "$ok" sent
  check "... not discarded" eval 'sent_to_mx "$QID" "$ok" && not discarded "$QID" "$member"'
  await_dsns "$id" non-delivery 1 sent
  postconf -e "virtual_alias_maps = $before"
  postfix reload >/dev/null 2>&1
}

s12_ulabel() {
  # SMTPUTF8 mail keeps the U-label: the map holds both forms (README, "Map keys")
  local d=s12idn.example.org u=s12@bücher.test a=s12@xn--bcher-kva.test id
  postconf -e smtputf8_enable=yes
  s12_route bücher.test
  s12_route xn--bcher-kva.test
  postfix reload >/dev/null 2>&1
  sleep 1
  id=$(rid s12-ulabel-first)
  send_report "$d" "$id" "$REPORT_SENDER" "" "$u"
  await_dsns "$id" non-delivery 1 sent || { postconf -e smtputf8_enable=no; postfix reload >/dev/null 2>&1; return 1; }
  check "fake MX rejected $u with 550" has_delivery "$QID" "$u" bounced
  check "recorded: failed $a (the A-label) under $d" has_failed_record "$a" "$d" || return 1
  EXPECTED_KEYS+=("$a" "$u")
  s12_rebuild || return 1
  check "map lines: $(map_line "$u" | cut -d' ' -f1) and $(map_line "$a" | cut -d' ' -f1)" \
    eval 'on_map "$u" "$d" && on_map "$a" "$d"'
  check "postmap -q finds both forms" eval 'postmap_has "$u" && postmap_has "$a"'
  check "map holds exactly the recorded addresses" map_is_expected
  local rcpt
  for rcpt in "$u" "$a"; do
    id=$(rid "s12-ulabel-next-${rcpt#*@}")
    send_report "$d" "$id" "$REPORT_SENDER" "" "$rcpt"
    check "next report to $rcpt queued" wait_for 15 has_qid "$id" || continue
    QID=$(qids_of "$id" | head -n 1)
    check "next report to $rcpt discarded by discard(8)" wait_for 20 discarded "$QID" "$rcpt" ||
      info "$(log_new | grep -F " $QID: " | tail -n 2)"
  done
  postconf -e smtputf8_enable=no
  postfix reload >/dev/null 2>&1
}

SCENARIOS+=(
  "12.1|a report to dmarc+4711@ bounces: that address (not xtext-decoded) is discarded next time|s12_plus"
  "12.2|with dmarc@ on the map, a report to dmarc+customer7@ is still sent (no extension fallback)|s12_base"
  "12.3|an alias member's failure: held (alias-member), nothing mapped, the alias's next report sent|s12_alias"
  "12.4|a U-label address: recorded as A-label, both forms on the map, both discarded|s12_ulabel"
)
