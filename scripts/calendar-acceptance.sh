#!/usr/bin/env bash
# The calendar_add acceptance points, run as a planner would, on a fresh SQLite database.
set -Eeuo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export DEBUG=1 SERVICEDESK_VAR_DIR="$tmp" DATABASE_URL=
py=.venv/bin/python
$py manage.py migrate --noinput -v0
fail=0

expect() {  # expect CALENDAR START DURATION WANTED
  local got
  got=$($py manage.py calendar_add --calendar "$1" --start "$2" --duration "$3")
  if [ "$got" = "$4" ]; then echo "ok    $1 $2 + $3 = $got"
  else echo "FAIL  $1 $2 + $3 = $got (wanted $4)"; fail=1; fi
}
expect_error() {  # expect_error ARGS...: non-zero exit, a message on stderr, nothing on stdout
  local out err rc=0
  out=$($py manage.py calendar_add "$@" 2>"$tmp/err") || rc=$?
  err=$(cat "$tmp/err")
  if [ $rc -ne 0 ] && [ -z "$out" ] && [ -n "$err" ]; then echo "ok    refused ($*): ${err##*$'\n'}"
  else echo "FAIL  ($*) rc=$rc stdout=[$out] stderr=[$err]"; fail=1; fi
}

expect 24x7 2026-01-01T09:00:00+08:00 8h 2026-01-01T17:00:00+08:00
expect work_0900_1800_cn 2026-04-30T17:00:00+08:00 2h 2026-05-06T10:00:00+08:00
expect work_0900_1800_cn 2026-03-02T09:00:00+08:00 9h 2026-03-02T18:00:00+08:00
# 2026-02-14 (Saturday) and 2026-09-20 (Sunday) are adjusted working days (调休).
expect work_0900_1800_cn 2026-02-13T17:00:00+08:00 2h 2026-02-14T10:00:00+08:00
expect work_0900_1800_cn 2026-09-19T09:00:00+08:00 1h 2026-09-20T10:00:00+08:00

got=$($py manage.py calendar_add --calendar work_0900_1800_cn --start 2031-03-03T09:00:00+08:00 --duration 1h 2>"$tmp/warn")
if [ "$got" = "2031-03-03T10:00:00+08:00" ] && grep -q 2031 "$tmp/warn"; then
  echo "ok    2031 answers on the weekly pattern and warns: $(head -1 "$tmp/warn")"
else echo "FAIL  2031: stdout=[$got] stderr=[$(cat "$tmp/warn")]"; fail=1; fi

expect_error --calendar nope --start 2026-01-01T09:00:00+08:00 --duration 8h
expect_error --calendar 24x7 --start 2026-01-01T09:00:00+08:00 --duration 8x
expect_error --calendar 24x7 --start 2026-01-01T09:00:00 --duration 8h
expect_error --calendar 24x7 --start yesterday --duration 8h
exit $fail
