#!/usr/bin/env bash
# End to end for lifecycle rules with awscli: starts `deno task dev` with a 2-second lifecycle day (9
# regional workers, 8 archive workers, 1 gateway), applies a lifecycle JSON file with `aws s3api
# put-bucket-lifecycle-configuration`, then watches `head-object` while objects under `logs/` move to
# GLACIER_IR, then DEEP_ARCHIVE (GET refused, HEAD still answered), and expire; objects under `tmp/` expire
# after a day and an incomplete multipart upload is aborted. Prints one `PASS: …` or `FAIL: …` line per
# check. Bounded: every wait polls every 0.5 s for at most 40 s, and once the script's budget (100 s) is
# spent the remaining checks fail at once. Stops the cluster with SIGTERM. Traffic stays on 127.0.0.1.
# JMESPath literals (`[]`, `"STANDARD"`) go to --query in single quotes on purpose.
# shellcheck disable=SC2016
set -uo pipefail

# shellcheck source=tests/e2e/e2e_lib.sh
source "$(dirname "$0")/e2e_lib.sh"
WORK="$(mktemp -d /tmp/objstore-lifecycle.XXXXXX)"
BUCKET="lifecycle-e2e"
DAY_SECONDS=2
OBJECT_BYTES=300000
WAIT_LIMIT_SECONDS=40
BUDGET_MS=100000
STARTED_MS="$(date +%s%3N)"
UPLOADED_MS="$STARTED_MS"

cleanup() {
  # The dev cluster runs in its own session (setsid), so its process group id is DEV_PID: stopping the
  # group stops the task runner, the dev process, its workers and gateway, and nothing else.
  if [ -n "$DEV_PID" ]; then
    kill -TERM -- "-$DEV_PID" 2>/dev/null
    for _ in $(seq 1 100); do pgrep -g "$DEV_PID" >/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$DEV_PID" 2>/dev/null || true
    wait "$DEV_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
over_budget() { [ "$(($(now_ms) - STARTED_MS))" -ge "$BUDGET_MS" ]; }
since_upload() { awk -v ms="$(($(now_ms) - UPLOADED_MS))" 'BEGIN { printf "%.1f", ms / 1000 }'; }

# check NAME COMMAND...: PASS when COMMAND succeeds, else FAIL with the end of its output.
check() {
  local name="$1"
  shift
  if over_budget; then fail "$name: not run, the script's ${BUDGET_MS} ms are spent"; return 1; fi
  if "$@" >"$WORK/command.log" 2>&1; then pass "$name"; else
    fail "$name:"
    tail -n 20 "$WORK/command.log"
    return 1
  fi
}

# wait_until NAME COMMAND...: runs COMMAND every 0.5 s until it succeeds (PASS, saying when after the
# upload), for at most WAIT_LIMIT_SECONDS and never past the script's budget (FAIL). A COMMAND exit status
# of 2 means the state can no longer come (FAIL at once).
wait_until() {
  local name="$1"
  shift
  local limit_ms=$(($(now_ms) + WAIT_LIMIT_SECONDS * 1000))
  if [ "$limit_ms" -gt "$((STARTED_MS + BUDGET_MS))" ]; then limit_ms=$((STARTED_MS + BUDGET_MS)); fi
  local status
  while true; do
    "$@" >"$WORK/command.log" 2>&1
    status=$?
    if [ "$status" = 0 ]; then
      pass "$name ($(since_upload) s after the upload)"
      return 0
    fi
    if [ "$status" = 2 ]; then
      fail "$name: missed, $(since_upload) s after the upload"
      tail -n 5 "$WORK/command.log"
      return 1
    fi
    if [ "$(now_ms)" -ge "$limit_ms" ]; then
      fail "$name: still not so $(since_upload) s after the upload"
      tail -n 5 "$WORK/command.log"
      return 1
    fi
    sleep 0.5
  done
}

# expect NAME ACTUAL EXPECTED
expect() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', expected '$3'"; fi; }

# Every call is bounded: a hung gateway fails the check instead of hanging the script.
aws_api() { timeout 20 "$AWS_BIN" --endpoint-url "$ENDPOINT" --cli-read-timeout 10 s3api "$@"; }
aws_s3() { timeout 20 "$AWS_BIN" --endpoint-url "$ENDPOINT" --cli-read-timeout 10 s3 "$@"; }
# head_field KEY QUERY: one field of HeadObject as text ("None" when absent).
head_field() { aws_api head-object --bucket "$BUCKET" --key "$1" --query "$2" --output text; }
# class_progress NOW WANTED: 0 when storage class NOW is WANTED, 1 while NOW is a warmer class (wait on),
# 2 when NOW is past WANTED or the object is gone (waiting is pointless: the 2-second days outran the polling).
class_progress() {
  case "$1" in
    "$2") return 0 ;;
    *"Not Found"* | *NoSuchKey* | *InvalidObjectState* | DEEP_ARCHIVE) return 2 ;;
    GLACIER_IR) if [ "$2" = DEEP_ARCHIVE ]; then return 1; else return 2; fi ;;
    *) return 1 ;;
  esac
}
# reaches_class KEY CLASS: HeadObject of KEY, judged by class_progress; the answer's fields (class, length,
# expiration, last modified) stay in $WORK/head.last.
reaches_class() {
  local fields
  if ! fields="$(aws_api head-object --bucket "$BUCKET" --key "$1" \
    --query '[StorageClass || `"STANDARD"`, ContentLength, Expiration, LastModified]' --output text 2>&1)"; then
    echo "$1: $fields"
    class_progress "$fields" "$2"
    return $?
  fi
  echo "$1: $fields"
  echo "$fields" >"$WORK/head.last"
  class_progress "$(cut -f1 <<<"$fields")" "$2"
}
# reads_back_in_class KEY FILE CLASS: GetObject of KEY says CLASS and gives FILE's bytes.
reads_back_in_class() {
  local class
  class="$(aws_api get-object --bucket "$BUCKET" --key "$1" "$WORK/read.back" \
    --query 'StorageClass || `"STANDARD"`' --output text 2>&1)"
  echo "$1: $class"
  class_progress "$class" "$3" || return $?
  cmp "$2" "$WORK/read.back" || return 2
}
# listing_is PREFIX EXPECTED: ListObjectsV2 under PREFIX gives "key class,key class,…" = EXPECTED; 2 when
# it lists fewer objects than EXPECTED names (some expired already).
listing_is() {
  local listed
  listed="$(aws_api list-objects-v2 --bucket "$BUCKET" --prefix "$1" --query 'Contents[].[Key, StorageClass]' \
    --output text 2>&1 | tr '\t' ' ' | paste -sd,)"
  echo "$listed"
  if [ "$listed" = "$2" ]; then return 0; fi
  if [ "$(tr ',' '\n' <<<"$listed" | grep -c .)" -lt "$(tr ',' '\n' <<<"$2" | grep -c .)" ]; then return 2; fi
  return 1
}
# sleep_until MS: sleeps until the epoch time MS (milliseconds), if it is still ahead.
sleep_until() {
  local wait_ms=$(($1 - $(now_ms)))
  if [ "$wait_ms" -gt 0 ]; then sleep "$(awk -v ms="$wait_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"; fi
}
count_under() {
  aws_api list-objects-v2 --bucket "$BUCKET" --prefix "$1" --query 'length(Contents || `[]`)' --output text
}
is_empty_under() { [ "$(count_under "$1")" = 0 ]; }
upload_count() {
  aws_api list-multipart-uploads --bucket "$BUCKET" --query 'length(Uploads || `[]`)' --output text
}
no_uploads() { [ "$(upload_count)" = 0 ]; }
# upload_is_gone KEY UPLOAD_ID: ListParts answers NoSuchUpload.
upload_is_gone() {
  ! aws_api list-parts --bucket "$BUCKET" --key "$1" --upload-id "$2" 2>"$WORK/parts.err" &&
    grep -q NoSuchUpload "$WORK/parts.err"
}
metric() { timeout 10 curl -sf "$ENDPOINT/metrics" | awk -v name="$1" '$1 == name { print $2 }'; }

# head_shows KEY CLASS RULE MIN MAX: HeadObject says storage class CLASS and an x-amz-expiration by rule
# RULE at a day boundary MIN … MAX seconds after Last-Modified (which is cut to whole seconds).
head_shows() {
  local fields storage_class expiration modified rule expiry_s modified_s
  fields="$(aws_api head-object --bucket "$BUCKET" --key "$1" \
    --query '[StorageClass || `"STANDARD"`, Expiration, LastModified]' --output text)" || return 1
  IFS=$'\t' read -r storage_class expiration modified <<<"$fields"
  echo "$fields"
  rule="$(sed -n 's/.*rule-id="\([^"]*\)".*/\1/p' <<<"$expiration")"
  expiry_s="$(date -d "$(sed -n 's/^expiry-date="\([^"]*\)".*/\1/p' <<<"$expiration")" +%s)" || return 1
  modified_s="$(date -d "$modified" +%s)" || return 1
  echo "class $storage_class, rule $rule, expiry $((expiry_s - modified_s)) s after Last-Modified"
  [ "$storage_class" = "$2" ] && [ "$rule" = "$3" ] && [ "$((expiry_s % DAY_SECONDS))" = 0 ] &&
    [ "$((expiry_s - modified_s))" -ge "$4" ] && [ "$((expiry_s - modified_s))" -le "$5" ]
}

get_refused_as_invalid_state() {
  ! aws_api get-object --bucket "$BUCKET" --key "$1" "$WORK/refused.out" 2>"$WORK/refused.err" &&
    grep -q 'InvalidObjectState' "$WORK/refused.err"
}

if [ -z "$AWS_BIN" ]; then fail "aws (awscli) not installed"; exit 1; fi
if ! command -v curl >/dev/null 2>&1; then fail "curl not installed"; exit 1; fi

(cd "$ROOT" && exec setsid "$DENO" task dev --port 0 --data-dir "$WORK/data" \
  --lifecycle-day-seconds "$DAY_SECONDS") >"$WORK/dev.out" 2>"$WORK/dev.err" &
DEV_PID=$!
if wait_for_dev "$WORK/dev.out"; then pass "deno task dev --lifecycle-day-seconds $DAY_SECONDS starts"; else
  fail "deno task dev did not start"
  tail -n 30 "$WORK/dev.err"
  exit 1
fi

# Transitions at days 1 and 3, expiry at day 6 for logs/; a day for tmp/; a day for any incomplete upload.
cat >"$WORK/lifecycle.json" <<'EOF'
{
  "Rules": [
    {
      "ID": "logs",
      "Status": "Enabled",
      "Filter": { "Prefix": "logs/" },
      "Transitions": [
        { "Days": 1, "StorageClass": "GLACIER_IR" },
        { "Days": 3, "StorageClass": "DEEP_ARCHIVE" }
      ],
      "Expiration": { "Days": 6 }
    },
    { "ID": "tmp", "Status": "Enabled", "Filter": { "Prefix": "tmp/" }, "Expiration": { "Days": 1 } },
    {
      "ID": "uploads",
      "Status": "Enabled",
      "Filter": { "Prefix": "" },
      "AbortIncompleteMultipartUpload": { "DaysAfterInitiation": 1 }
    }
  ]
}
EOF
check "aws s3api create-bucket" aws_api create-bucket --bucket "$BUCKET"
check "aws s3api put-bucket-lifecycle-configuration from a JSON file" \
  aws_api put-bucket-lifecycle-configuration --bucket "$BUCKET" --lifecycle-configuration "file://$WORK/lifecycle.json"
lifecycle_query() {
  aws_api get-bucket-lifecycle-configuration --bucket "$BUCKET" --query "$1" --output text 2>&1 | tr '\t' ' '
}
expect "get-bucket-lifecycle-configuration: three rules" "$(lifecycle_query 'join(`,`, Rules[].ID)')" "logs,tmp,uploads"
expect "get-bucket-lifecycle-configuration: logs/ to GLACIER_IR at 1, DEEP_ARCHIVE at 3, expiry at 6" \
  "$(lifecycle_query "Rules[?ID=='logs'] | [0].[Status, Filter.Prefix, Transitions[0].Days, \
Transitions[0].StorageClass, Transitions[1].Days, Transitions[1].StorageClass, Expiration.Days]")" \
  "Enabled logs/ 1 GLACIER_IR 3 DEEP_ARCHIVE 6"
expect "get-bucket-lifecycle-configuration: tmp/ expires after 1 day" \
  "$(lifecycle_query "Rules[?ID=='tmp'] | [0].[Status, Filter.Prefix, Expiration.Days]")" "Enabled tmp/ 1"
expect "get-bucket-lifecycle-configuration: uploads aborted after 1 day" \
  "$(lifecycle_query "Rules[?ID=='uploads'] | [0].AbortIncompleteMultipartUpload.DaysAfterInitiation")" "1"

# An upload that stays incomplete: the "uploads" rule aborts it a day after it began.
UPLOAD_ID="$(aws_api create-multipart-upload --bucket "$BUCKET" --key uploads/partial.bin \
  --query UploadId --output text 2>"$WORK/upload.err")"
if [ -n "$UPLOAD_ID" ]; then pass "aws s3api create-multipart-upload"; else
  fail "create-multipart-upload"
  cat "$WORK/upload.err"
fi
expect "list-multipart-uploads shows the upload" "$(upload_count 2>&1)" 1

# Bigger than the 64 KiB inline threshold, so they live on erasure-coded workers and can move tiers. The
# log compresses (the archive keeps it deflated); the random bytes stand for media, which does not.
mkdir -p "$WORK/tree/logs" "$WORK/tree/tmp" "$WORK/tree/keep"
awk 'BEGIN { for (i = 0; i < 5700; i++) printf "2026-11-25T20:%02d:%02dZ GET /media/%06d.mp4 200 %d\n",
  i % 60, i % 59, i, i * 7 }' >"$WORK/tree/logs/app.log"
head -c "$OBJECT_BYTES" /dev/urandom >"$WORK/tree/logs/media.bin"
echo "kept inline" >"$WORK/tree/logs/tiny.txt"
for key in tmp/a.bin tmp/b.bin keep/c.bin; do head -c "$OBJECT_BYTES" /dev/urandom >"$WORK/tree/$key"; done
APP_LOG_BYTES="$(stat -c %s "$WORK/tree/logs/app.log")"

# Rules fall due at day boundaries (multiples of 2 s since the epoch), counting from the object's creation.
# One `aws s3 cp --recursive` just after a boundary D creates every object within the day that follows, so
# they share one schedule: tmp/ expires and logs/ goes to GLACIER_IR at D+2 days, to DEEP_ARCHIVE at D+4
# days, and expires at D+7 days. The checks of a state look as it begins (each aws call takes 0.5 to 1 s);
# whether it comes is still polled, with a bound.
DAY_MS=$((DAY_SECONDS * 1000))
D_MS=$((($(now_ms) / DAY_MS + 1) * DAY_MS))
sleep_until "$((D_MS + 50))"
check "aws s3 cp --recursive uploads logs/ (${APP_LOG_BYTES}, ${OBJECT_BYTES} and 12 bytes), tmp/ and keep/" \
  aws_s3 cp --recursive --no-progress "$WORK/tree" "s3://$BUCKET/"
UPLOADED_MS="$(now_ms)"
if [ "$((UPLOADED_MS - D_MS))" -ge "$DAY_MS" ]; then
  echo "note: the upload took $((UPLOADED_MS - D_MS)) ms, more than a lifecycle day: the objects' schedules differ"
fi

# Before day 1: x-amz-expiration (HEAD's Expiration) names the rule and the day boundary the object goes at.
check "head-object: logs/media.bin is STANDARD, its Expiration says rule logs, 6 days after creation" \
  head_shows logs/media.bin STANDARD logs "$((6 * DAY_SECONDS))" "$((7 * DAY_SECONDS))"

# Day 1 ends: logs/ moves to the archive tier; GLACIER_IR still reads back directly.
sleep_until "$((D_MS + 2 * DAY_MS + 300))"
wait_until "get-object of logs/app.log in GLACIER_IR gives back its bytes" \
  reads_back_in_class logs/app.log "$WORK/tree/logs/app.log" GLACIER_IR
wait_until "head-object: logs/media.bin becomes GLACIER_IR" reaches_class logs/media.bin GLACIER_IR

# Day 3 ends: deeper. GET is refused (a restore would be needed); HEAD and listings still answer.
sleep_until "$((D_MS + 4 * DAY_MS + 300))"
wait_until "head-object: logs/media.bin becomes DEEP_ARCHIVE" reaches_class logs/media.bin DEEP_ARCHIVE
expect "head-object of logs/media.bin in DEEP_ARCHIVE still gives its ContentLength" \
  "$(cut -f2 "$WORK/head.last")" "$OBJECT_BYTES"
check "get-object of logs/media.bin in DEEP_ARCHIVE fails with InvalidObjectState" \
  get_refused_as_invalid_state logs/media.bin
wait_until "list-objects-v2: both logs DEEP_ARCHIVE, logs/tiny.txt (inline, too small to move) STANDARD" \
  listing_is logs/ "logs/app.log DEEP_ARCHIVE,logs/media.bin DEEP_ARCHIVE,logs/tiny.txt STANDARD"

# Long since due: tmp/ (day 1) and the incomplete upload.
wait_until "tmp/ objects expire" is_empty_under tmp/
wait_until "the incomplete multipart upload is aborted (list-multipart-uploads is empty)" no_uploads
check "list-parts of the aborted upload: NoSuchUpload" upload_is_gone uploads/partial.bin "$UPLOAD_ID"

# Day 6: logs/ expires; keep/ was never in a rule.
wait_until "logs/ objects expire" is_empty_under logs/
expect "keep/c.bin (no rule) is still there, STANDARD, without Expiration" \
  "$(head_field keep/c.bin '[StorageClass || `"STANDARD"`, Expiration]' 2>&1 | tr '\t' ' ')" "STANDARD None"
expect "objstore_lifecycle_transitioned_objects_total: two logs, twice each" \
  "$(metric objstore_lifecycle_transitioned_objects_total)" 4
expect "objstore_lifecycle_transitioned_bytes_total: moved once (DEEP_ARCHIVE only relabels)" \
  "$(metric objstore_lifecycle_transitioned_bytes_total)" "$((OBJECT_BYTES + APP_LOG_BYTES))"
expect "objstore_lifecycle_expired_objects_total: two tmp/, three logs/" \
  "$(metric objstore_lifecycle_expired_objects_total)" 5
expect "objstore_lifecycle_uploads_aborted_total" "$(metric objstore_lifecycle_uploads_aborted_total)" 1

kill -TERM "$DEV_PID"
for _ in $(seq 1 150); do kill -0 "$DEV_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$DEV_PID" 2>/dev/null; then fail "SIGTERM: the dev cluster is still running after 15 s"; else
  wait "$DEV_PID"
  status=$?
  expect "SIGTERM stops the dev cluster with status 0" "$status" 0
  for _ in $(seq 1 50); do pgrep -g "$DEV_PID" >/dev/null || break; sleep 0.1; done
  if pgrep -g "$DEV_PID" >/dev/null; then fail "processes of the cluster left after SIGTERM"; pgrep -ag "$DEV_PID"; else
    pass "no process of the cluster is left after SIGTERM"
    DEV_PID=""
  fi
fi
echo "lifecycle_cli.sh: $(awk -v ms="$(($(now_ms) - STARTED_MS))" 'BEGIN { printf "%.1f", ms / 1000 }') s"

[ "$failures" = 0 ]
