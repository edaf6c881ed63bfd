# shellcheck shell=bash
# shellcheck disable=SC2034 # QID and DSNS are read by the scenarios in scripts/e2e-postfix
# Helpers for scripts/e2e-postfix (sourced). Bash 5. Reads globals: LOG, MARK, DOC, DATA_DIR,
# MAP, REPORT_SENDER, E2E.

# --- output -------------------------------------------------------------------------------
SCENARIO_FAILS=0
say() { printf '%s\n' "$*"; }
ok() { printf '    ok    %s\n' "$*"; }
bad() {
  printf '    FAIL  %s\n' "$*"
  SCENARIO_FAILS=$((SCENARIO_FAILS + 1))
}
# check DESCRIPTION COMMAND...: run COMMAND, print ok/FAIL; returns COMMAND's status
check() {
  local description=$1
  shift
  if "$@"; then ok "$description"; else bad "$description"; return 1; fi
}
not() { ! "$@"; }
quiet() { "$@" >/dev/null 2>&1; }
# info: indented detail under a check (what was found)
info() { printf '          %s\n' "$*"; }

now_ns() { date +%s%N; }
# seconds since NS with one decimal
since() { local d=$(($(now_ns) - $1)); printf '%d.%d' $((d / 1000000000)) $((d % 1000000000 / 100000000)); }

# wait_for SECONDS COMMAND...: poll COMMAND every 0.1-0.5 s until it succeeds or time is up
wait_for() {
  local limit=$(($(now_ns) + $1 * 1000000000)) pause=0.1
  shift
  until "$@"; do
    (($(now_ns) >= limit)) && return 1
    sleep "$pause"
    pause=0.3
  done
}

# --- the Postfix log ------------------------------------------------------------------------
log_size() { stat -c %s "$LOG" 2>/dev/null || echo 0; }
# the log written since the byte offset MARK (set by each scenario)
log_new() { tail -c +$((MARK + 1)) "$LOG" 2>/dev/null; }

# queue ids of every message carrying Message-ID <ID> (a report accepted by the fake MX is
# queued a second time with the same Message-ID), oldest first
qids_of() {
  log_new | grep -F ": message-id=<$1>" | sed -E 's/.* ([0-9A-Za-z]+): message-id=.*/\1/'
}
# DSN queue ids that Postfix wrote for the messages with Message-ID <ID>;
# KIND: non-delivery | delivery status | delay
dsns_of() {
  local qid
  for qid in $(qids_of "$1"); do
    log_new | sed -nE "s/.* $qid: sender $2 notification: ([0-9A-Za-z]+)\$/\1/p"
  done
}
# the last pipe(8) delivery line for queue id QID, or nothing
pipe_line() { log_new | grep -E " $1: to=<[^>]*>, (orig_to=<[^>]*>, )?relay=dmarc_dsn_processor, " | tail -n 1; }
pipe_status() { pipe_line "$1" | sed -nE 's/.*, status=([a-z]+) .*/\1/p'; }
# delivery lines of queue id QID to recipient RCPT
delivery_line() { log_new | grep -F " $1: to=<$2>, " | tail -n 1; }

has_qid() { [ -n "$(qids_of "$1" | head -n 1)" ]; }
# has_dsns ID KIND COUNT
has_dsns() { [ "$(dsns_of "$1" "$2" | wc -l)" -ge "$3" ]; }
pipe_done() { [ -n "$(pipe_status "$1")" ]; }
pipe_is() { [ "$(pipe_status "$1")" = "$2" ]; }
has_delivery() { delivery_line "$1" "$2" | grep -qE ", status=$3 "; }
in_queue() { postqueue -j | grep -qF "\"queue_id\": \"$1\""; }

# await_dsns ID KIND COUNT STATUS: wait until the messages with Message-ID <ID> produced COUNT
# notifications of KIND and each one's pipe delivery ended with STATUS. Prints checks; sets
# QID (the report's queue id) and DSNS (the notifications' queue ids).
QID=
DSNS=()
await_dsns() {
  local id=$1 kind=$2 count=$3 status=$4 dsn
  DSNS=()
  check "report <$id> queued by Postfix" wait_for 15 has_qid "$id" || return 1
  QID=$(qids_of "$id" | head -n 1)
  check "Postfix wrote $count $kind notification(s) for it" wait_for 30 has_dsns "$id" "$kind" "$count" || return 1
  mapfile -t DSNS < <(dsns_of "$id" "$kind")
  [ "${#DSNS[@]}" -eq "$count" ] || { bad "expected $count $kind notification(s), got ${#DSNS[@]}"; return 1; }
  for dsn in "${DSNS[@]}"; do
    if ! wait_for 30 pipe_done "$dsn"; then
      bad "notification $dsn delivered to the pipe (no delivery line in 30 s)"
      return 1
    fi
    check "notification $dsn: pipe delivery status=$status" pipe_is "$dsn" "$status" || { info "$(pipe_line "$dsn")"; return 1; }
    info "$(pipe_line "$dsn" | sed -E 's/.*(relay=dmarc_dsn_processor)/\1/')"
  done
}

# --- the data dir and the map ----------------------------------------------------------------
records_tsv() { node "$E2E/records.mjs" tsv "$DATA_DIR"; }
# failed records for ADDRESS (lowercase match of final_rcpt or orig_rcpt) under REPORT_DOMAIN
failed_records() {
  records_tsv | awk -F'\t' -v a="${1,,}" -v d="$2" \
    '$1 == d && $2 == "failed" && (tolower($4) == a || tolower($5) == a)'
}
# any record for ADDRESS, under any report domain
any_records() { records_tsv | awk -F'\t' -v a="${1,,}" 'tolower($4) == a || tolower($5) == a'; }
has_failed_record() { [ "$(failed_records "$1" "$2" | wc -l)" -ge 1 ]; }
no_failed_record() { ! records_tsv | awk -F'\t' -v a="${1,,}" '$2 == "failed" && (tolower($4) == a || tolower($5) == a)' | grep -q .; }

# quarantine_of QID: the saved/ file for queue id QID, or "not quarantined"
quarantine_of() {
  local file
  file=$(find "$DATA_DIR/saved" -maxdepth 1 -name "$1.*" -printf 'saved/%f\n' 2>/dev/null | head -n 1)
  echo "${file:-nothing in saved/}"
}
quarantined() { [ -n "$(find "$DATA_DIR/saved" -maxdepth 1 -name "$1.*" 2>/dev/null | head -n 1)" ]; }
# every record valid (problems are printed as info lines)
valid_records() {
  local out
  out=$(node "$E2E/records.mjs" check "$DATA_DIR" 2>&1) && return 0
  head -n 5 <<<"$out" | while IFS= read -r line; do info "$line"; done
  return 1
}

map_keys() { awk '!/^[[:space:]]*(#|$)/ { print tolower($1) }' "$MAP" | sort; }
map_line() { awk -v a="${1,,}" 'tolower($1) == a' "$MAP"; }
# on_map ADDRESS REPORT_DOMAIN: the map discards ADDRESS with the report domain in the reason
on_map() { map_line "$1" | grep -qE "^[^[:space:]]+[[:space:]]+discard:.*(^|[^a-z0-9.-])${2//./\\.}([^a-z0-9.-]|$)"; }
not_on_map() { [ -z "$(map_line "$1")" ]; }
# postmap's view (what Postfix itself looks up), not just the text file
postmap_has() { postmap -q "${1,,}" "$(postconf -h default_database_type):$MAP" | grep -q '^discard:'; }

# --- docs/postfix.md ----------------------------------------------------------------------------
# snippet NAME: the body of the one fenced block whose info string contains e2e=NAME
snippet() {
  awk -v name="e2e=$1" '
    open && /^```[[:space:]]*$/ { open = 0; next }
    open { print; next }
    /^```/ { n = split($0, words, /[[:space:]]+/); for (i = 1; i <= n; i++) if (words[i] == name) { open = 1; found++ } }
    END { if (found != 1) { printf "docs: %d blocks marked %s (need exactly 1)\n", found, name > "/dev/stderr"; exit 1 } }
  ' "$DOC"
}

# --- reloading Postfix ---------------------------------------------------------------------
# "postfix reload" only signals the master and returns: for a while the daemons that read the
# old main.cf, master.cf and maps (trivial-rewrite resolving with the old transport map, the
# old qmgr with the old defer_transports, an idle pipe(8) with the old argv) keep working. A
# report sent or a queue flushed in that window took the old path: the harness's flake
# (issue 13). These wait for what can be observed instead: the master logged the reload, and
# every daemon it had started before has exited.
postfix_children() {
  local master
  master=$(tr -d ' \n' </var/spool/postfix/pid/master.pid 2>/dev/null)
  [ -n "$master" ] && pgrep -P "$master" | tr '\n' ' '
}
gone() {
  local pid
  for pid in "$@"; do [ -d "/proc/$pid" ] && return 1; done
  return 0
}
# reload_done MARK_BEFORE PIDS_BEFORE...: wait until the reload since MARK_BEFORE took effect
reload_done() {
  local mark=$1 started alive=0 pid
  shift
  started=$(now_ns)
  MARK=$mark wait_for 20 log_has 'reload -- version' || { info "no 'reload' line from the master in 20 s"; return 1; }
  for pid in "$@"; do [ -d "/proc/$pid" ] && alive=$((alive + 1)); done
  # shellcheck disable=SC2068 # one pid per word
  wait_for 30 gone $@ || { info "daemons still running 30 s after the reload: $(for p in "$@"; do [ -d "/proc/$p" ] && tr '\0' ' ' <"/proc/$p/cmdline"; done)"; return 1; }
  info "reload logged; $alive daemon(s) of the old configuration were still running then, all gone after $(since "$started") s"
}
# reload_postfix: postfix reload, then wait until it took effect
reload_postfix() {
  local mark pids
  mark=$(log_size)
  pids=$(postfix_children)
  postfix reload >/dev/null 2>&1 || return 1
  # shellcheck disable=SC2086 # one pid per word
  reload_done "$mark" $pids
}
