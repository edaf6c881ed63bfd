# shellcheck shell=bash
# Issue 13: a true drop-in. The Python tool's master.cf line has no subcommand,
#   argv=.../dmarc_dsn_processor.py ${queue_id} ${extension} /path/to/data_dir
# Put our binary in its place, unchanged otherwise: every DSN must still be status=sent and
# recorded (with an empty and with a VERP extension), never bounced.

# the pipe service exactly as the original's README has it, with our binary
S13_ARGV="argv=$BIN \${queue_id} \${extension} $DATA_DIR"

# no pipe(8) process is left that runs the service with another command line
s13_only_dropin_pipes() {
  local pid cmdline
  for pid in $(pgrep -f "pipe -n dmarc_dsn_processor "); do
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
    [[ $cmdline == *"argv=$BIN ingest "* ]] && return 1
  done
  return 0
}

s13_dropin() {
  local saved d=s13.example.org a=s13a@bounce.test b=s13b@bounce.test id local=${REPORT_SENDER%@*} domain=${REPORT_SENDER#*@}
  saved=$(postconf -M dmarc_dsn_processor/unix)
  [ -n "$saved" ] || { bad "no dmarc_dsn_processor/unix service in master.cf"; return 1; }
  postconf -M "dmarc_dsn_processor/unix=dmarc_dsn_processor unix - n n - - pipe flags=Rq user=nobody $S13_ARGV"
  check "master.cf: the original's line: $(postconf -M dmarc_dsn_processor/unix | sed -E 's/.*(argv=)/\1/')" \
    eval 'postconf -M dmarc_dsn_processor/unix | grep -qF -- "$S13_ARGV"' || return 1
  check "postfix reload took effect" reload_postfix || return 1
  check "no pipe process left with the old argv (ingest ...)" wait_for 30 s13_only_dropin_pipes || return 1

  # (a) empty ${extension}: the original's most common case
  id=$(rid s13-dropin)
  send_report "$d" "$id" "$REPORT_SENDER" "" "$a"
  await_dsns "$id" non-delivery 1 sent || return 1
  check "recorded: $a under $d, through the original's argv" has_failed_record "$a" "$d"
  # (b) a VERP extension
  id=$(rid s13-dropin-verp)
  send_report "$d" "$id" "$local+s13b=bounce.test@$domain" "" "$b"
  await_dsns "$id" non-delivery 1 sent || return 1
  check "recorded: $b under $d, from the extension s13b=bounce.test" has_failed_record "$b" "$d"
  check "no pipe delivery bounced or died with the original's argv" \
    [ "$(count_lines 'relay=dmarc_dsn_processor, .*status=bounced|dmarc_dsn_processor.*Command died')" = 0 ]
  check "no ANSI escapes in the pipe's log lines" not grep -q $'\e\\[' <(log_new | grep relay=dmarc_dsn_processor)
  EXPECTED_KEYS+=("$a" "$b")

  # back to the documented line for the scenarios after this one
  postconf -M "dmarc_dsn_processor/unix=$saved"
  check "master.cf: the documented line again" eval 'postconf -M dmarc_dsn_processor/unix | grep -qF -- "$BIN ingest "'
  check "postfix reload took effect" reload_postfix || return 1
  # scenario 7's 200 new addresses today make any new one part of a surge: confirm, as there
  "$BIN" table --confirm-surge "$DATA_DIR" >/dev/null 2>&1
  rebuild_map || return 1
  check "map holds exactly the recorded addresses" map_is_expected
}
SCENARIOS+=("13|the Python tool's master.cf line (no subcommand): status=sent, recorded|s13_dropin")

# docs/postfix.md section 10: the daily housekeeping job, run as cron would (as root)
s13_prune() {
  local line minute hour dom month dow user command before rc
  line=$(snippet prune | grep -vE '^[[:space:]]*(#|$)')
  check "docs: one prune job line" [ "$(wc -l <<<"$line")" = 1 ] || return 1
  read -r minute hour dom month dow user command <<<"$line"
  check "prune job runs as root: $command" [ "$user" = root ] || return 1
  before=$(map_keys)
  env -i SHELL=/bin/sh PATH=/usr/bin:/bin HOME=/root LOGNAME=root /bin/sh -c "$command" 2>"$WORK/prune.err"
  rc=$?
  check "prune job exit 0 ($(head -c 200 "$WORK/prune.err" | tr '\n' ' '))" [ "$rc" = 0 ] || return 1
  check "data dir still owned by nobody after the prune as root" [ -z "$(find "$DATA_DIR" ! -user nobody | head -n 1)" ]
  check "current records kept: all records valid" valid_records
  rebuild_map || return 1
  check "map unchanged by the prune" [ "$(map_keys)" = "$before" ]
}
SCENARIOS+=("13|housekeeping: the documented daily --prune job as root|s13_prune")
