#!/usr/bin/env bash
# End to end with real clients: starts `deno task dev` (9 workers, 1 gateway, a KV file), drives it with
# Debian's awscli, rclone and s3cmd, stops it with SIGINT, restarts it on the same data dir and reads the data
# back. Prints one `PASS: …` or `FAIL: …` line per check. Traffic stays on 127.0.0.1.
set -uo pipefail

# shellcheck source=tests/e2e/e2e_lib.sh
source "$(dirname "$0")/e2e_lib.sh"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/objstore-e2e.XXXXXX")"

check() { local name="$1"; shift; if "$@" >"$WORK/command.log" 2>&1; then pass "$name"; else fail "$name:"; tail -n 20 "$WORK/command.log"; fi; }

cleanup() {
  if [ -n "$DEV_PID" ] && kill -0 "$DEV_PID" 2>/dev/null; then kill -TERM "$DEV_PID"; wait "$DEV_PID" 2>/dev/null; fi
  pkill -KILL -f "$WORK/data" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

start_dev() {
  (cd "$ROOT" && exec "$DENO" task dev --port 0 --data-dir "$WORK/data") >"$WORK/dev.out" 2>"$WORK/dev.err" &
  DEV_PID=$!
  wait_for_dev "$WORK/dev.out" || return 1
  export RCLONE_CONFIG_OBJ_TYPE=s3 RCLONE_CONFIG_OBJ_PROVIDER=Other RCLONE_CONFIG_OBJ_ENDPOINT="$ENDPOINT"
  export RCLONE_CONFIG_OBJ_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" RCLONE_CONFIG_OBJ_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY"
  export RCLONE_CONFIG_OBJ_REGION=us-east-1
}

stop_dev() {
  kill -"$1" "$DEV_PID"
  wait "$DEV_PID"
  local status=$?
  DEV_PID=""
  return $status
}

no_children_left() { ! pgrep -f "$WORK/data" >/dev/null; }
aws_s3() { "$AWS_BIN" --endpoint-url "$ENDPOINT" s3 "$@"; }

# Bad configuration: one clear error naming the setting, exit status 2.
(cd "$ROOT" && "$DENO" task dev --port not-a-port --data-dir "$WORK/bad") >"$WORK/bad.out" 2>&1
status=$?
if [ "$status" = 2 ] && grep -q -- '--port' "$WORK/bad.out"; then pass "bad --port exits 2 naming the flag"; else fail "bad --port (status $status)"; cat "$WORK/bad.out"; fi
(cd "$ROOT" && OBJSTORE_DATA_SHARDS=0 "$DENO" task dev --port 0 --data-dir "$WORK/bad") >"$WORK/bad.out" 2>&1
status=$?
if [ "$status" = 2 ] && grep -q 'OBJSTORE_DATA_SHARDS' "$WORK/bad.out"; then pass "bad OBJSTORE_DATA_SHARDS exits 2 naming it"; else fail "bad OBJSTORE_DATA_SHARDS (status $status)"; cat "$WORK/bad.out"; fi

if start_dev; then pass "deno task dev prints endpoint and keys"; else fail "deno task dev did not start"; cat "$WORK/dev.err" | tail -n 30; exit 1; fi
if [ "$(grep -c '' "$WORK/dev.out")" -ge 3 ] && grep -q '^endpoint: http://127.0.0.1:[0-9]\+$' "$WORK/dev.out"; then pass "endpoint line shows the chosen port"; else fail "endpoint line"; fi

mkdir -p "$WORK/files/sub"
head -c 0 /dev/zero >"$WORK/files/empty"
echo "hello edge" >"$WORK/files/hello.txt"
head -c 300000 /dev/urandom >"$WORK/files/sub/medium.bin"
head -c 33554433 /dev/urandom >"$WORK/big.bin"

check "aws s3 mb" aws_s3 mb s3://e2e-bucket
check "aws s3 cp small up" aws_s3 cp --no-progress "$WORK/files/hello.txt" s3://e2e-bucket/hello.txt
check "aws s3 cp empty up" aws_s3 cp --no-progress "$WORK/files/empty" s3://e2e-bucket/empty
check "aws s3 cp 32 MiB up (multipart)" aws_s3 cp --no-progress "$WORK/big.bin" s3://e2e-bucket/dir/big.bin
check "aws s3 ls lists the objects" bash -c "$(declare -f aws_s3); AWS_BIN='$AWS_BIN' ENDPOINT='$ENDPOINT' aws_s3 ls s3://e2e-bucket --recursive | grep -q 'dir/big.bin'"
check "aws s3 cp 32 MiB down (ranged) is identical" bash -c "$(declare -f aws_s3); AWS_BIN='$AWS_BIN' ENDPOINT='$ENDPOINT' aws_s3 cp --no-progress s3://e2e-bucket/dir/big.bin '$WORK/big.back' && cmp '$WORK/big.bin' '$WORK/big.back'"
# The issue's size for awscli's multipart path: 2 GiB (256 parts of 8 MiB), up and down, byte-identical.
head -c 2147483648 /dev/urandom >"$WORK/two-gib.bin"
check "aws s3 cp of 2 GiB (multipart) up and down is identical" bash -c "$(declare -f aws_s3); AWS_BIN='$AWS_BIN' ENDPOINT='$ENDPOINT' aws_s3 cp --no-progress '$WORK/two-gib.bin' s3://e2e-bucket/two-gib.bin && AWS_BIN='$AWS_BIN' ENDPOINT='$ENDPOINT' aws_s3 cp --no-progress s3://e2e-bucket/two-gib.bin '$WORK/two-gib.back' && cmp '$WORK/two-gib.bin' '$WORK/two-gib.back' && AWS_BIN='$AWS_BIN' ENDPOINT='$ENDPOINT' aws_s3 rm s3://e2e-bucket/two-gib.bin"
rm -f "$WORK/two-gib.bin" "$WORK/two-gib.back"
check "aws s3 cp small down is identical" bash -c "$(declare -f aws_s3); AWS_BIN='$AWS_BIN' ENDPOINT='$ENDPOINT' aws_s3 cp --no-progress s3://e2e-bucket/hello.txt - | cmp - '$WORK/files/hello.txt'"
check "aws s3 cp server-side of 32 MiB (UploadPartCopy) is identical" bash -c "$(declare -f aws_s3); AWS_BIN='$AWS_BIN' ENDPOINT='$ENDPOINT' aws_s3 cp --no-progress s3://e2e-bucket/dir/big.bin s3://e2e-bucket/dir/big-copy.bin && AWS_BIN='$AWS_BIN' ENDPOINT='$ENDPOINT' aws_s3 cp --no-progress s3://e2e-bucket/dir/big-copy.bin - | cmp - '$WORK/big.bin'"
check "aws s3 mv server-side (CopyObject + delete)" bash -c "$(declare -f aws_s3); AWS_BIN='$AWS_BIN' ENDPOINT='$ENDPOINT' aws_s3 mv --no-progress s3://e2e-bucket/empty s3://e2e-bucket/moved-empty && AWS_BIN='$AWS_BIN' ENDPOINT='$ENDPOINT' aws_s3 ls s3://e2e-bucket/moved-empty >/dev/null && ! AWS_BIN='$AWS_BIN' ENDPOINT='$ENDPOINT' aws_s3 ls s3://e2e-bucket/empty"
check "aws s3 rm" aws_s3 rm s3://e2e-bucket/hello.txt
check "aws s3 ls no longer shows the removed object" bash -c "! ($(declare -f aws_s3); AWS_BIN='$AWS_BIN' ENDPOINT='$ENDPOINT' aws_s3 ls s3://e2e-bucket/hello.txt)"

check "rclone mkdir" rclone mkdir obj:rclone-bucket
check "rclone copy a tree up" rclone copy "$WORK/files" obj:rclone-bucket/tree
check "rclone copy 32 MiB up (multipart)" rclone copy --s3-upload-cutoff 8M --s3-chunk-size 5M "$WORK/big.bin" obj:rclone-bucket/big
check "rclone check: sizes and MD5s match" rclone check "$WORK/files" obj:rclone-bucket/tree
check "rclone cat returns the bytes" bash -c "rclone cat obj:rclone-bucket/tree/hello.txt | cmp - '$WORK/files/hello.txt'"
check "rclone copy down the multipart object" bash -c "rclone copy obj:rclone-bucket/big/big.bin '$WORK/rclone-down' && cmp '$WORK/big.bin' '$WORK/rclone-down/big.bin'"
check "rclone copyto server-side of the multipart object is identical" bash -c "rclone copyto obj:rclone-bucket/big/big.bin obj:rclone-bucket/big/copied.bin && rclone cat obj:rclone-bucket/big/copied.bin | cmp - '$WORK/big.bin'"
check "rclone delete" rclone delete obj:rclone-bucket/tree/sub

# s3cmd over plain HTTP (https_clients.sh drives it over TLS): path-style addresses, SigV4.
if command -v s3cmd >/dev/null 2>&1; then
  cat >"$WORK/s3cmd.cfg" <<CFG
[default]
access_key = $AWS_ACCESS_KEY_ID
secret_key = $AWS_SECRET_ACCESS_KEY
host_base = ${ENDPOINT#http://}
host_bucket = ${ENDPOINT#http://}
use_https = False
signature_v2 = False
bucket_location = us-east-1
CFG
  s3c() { s3cmd -c "$WORK/s3cmd.cfg" "$@"; }
  in_s3c() { bash -c "$(declare -f s3c); WORK='$WORK'; $1"; }
  head -c 16777217 /dev/urandom >"$WORK/s3cmd-big.bin"
  big_md5="$(md5sum "$WORK/s3cmd-big.bin" | cut -d' ' -f1)"
  check "s3cmd mb" s3c mb s3://s3cmd-bucket
  check "s3cmd put small" s3c put "$WORK/files/hello.txt" s3://s3cmd-bucket/hello.txt
  check "s3cmd ls shows it" in_s3c "s3c ls s3://s3cmd-bucket/ | grep -q ' s3://s3cmd-bucket/hello.txt$'"
  check "s3cmd get small is identical" in_s3c "s3c get --force s3://s3cmd-bucket/hello.txt '$WORK/s3cmd-hello.back' && cmp '$WORK/files/hello.txt' '$WORK/s3cmd-hello.back'"
  check "s3cmd put of 16 MiB in 5 MiB parts" s3c put --multipart-chunk-size-mb=5 "$WORK/s3cmd-big.bin" s3://s3cmd-bucket/big.bin
  check "the s3cmd upload is a 4-part multipart object" bash -c "'$AWS_BIN' --endpoint-url '$ENDPOINT' s3api head-object --bucket s3cmd-bucket --key big.bin --query ETag --output text | grep -q '^\"[0-9a-f]\{32\}-4\"\$'"
  check "s3cmd get of the multipart object is identical" in_s3c "s3c get --force s3://s3cmd-bucket/big.bin '$WORK/s3cmd-big.back' && cmp '$WORK/s3cmd-big.bin' '$WORK/s3cmd-big.back'"
  check "s3cmd info shows its size and MD5" in_s3c "s3c info s3://s3cmd-bucket/big.bin >'$WORK/info' && grep -q 'File size: 16777217$' '$WORK/info' && grep -q 'MD5 sum: *$big_md5$' '$WORK/info'"
  check "s3cmd put --acl-public: anonymous curl GET reads it" in_s3c "s3c put --acl-public '$WORK/files/hello.txt' s3://s3cmd-bucket/public.txt && curl -sS --fail '$ENDPOINT/s3cmd-bucket/public.txt' | cmp - '$WORK/files/hello.txt'"
  check "an object s3cmd put without an ACL stays private to anonymous curl" bash -c "[ \"\$(curl -sS -o /dev/null -w '%{http_code}' '$ENDPOINT/s3cmd-bucket/hello.txt')\" = 403 ]"
  # s3cmd setacl reads the ACL (GET ?acl), adds or drops the AllUsers READ grant and PUTs the
  # AccessControlPolicy back: the gateway takes it as the equivalent canned ACL.
  check "s3cmd setacl --acl-public: anonymous curl GET reads the object" in_s3c "s3c setacl --acl-public s3://s3cmd-bucket/hello.txt && curl -sS --fail '$ENDPOINT/s3cmd-bucket/hello.txt' | cmp - '$WORK/files/hello.txt'"
  check "s3cmd info shows the public grant" in_s3c "s3c info s3://s3cmd-bucket/hello.txt | grep -q 'ACL: *\*anon\*: READ'"
  check "s3cmd setacl --acl-private: anonymous curl GET is 403 again" in_s3c "s3c setacl --acl-private s3://s3cmd-bucket/hello.txt && [ \"\$(curl -sS -o /dev/null -w '%{http_code}' '$ENDPOINT/s3cmd-bucket/hello.txt')\" = 403 ]"
  check "s3cmd setacl --acl-public on the bucket lets anonymous curl list it" in_s3c "s3c setacl --acl-public s3://s3cmd-bucket && curl -sS --fail '$ENDPOINT/s3cmd-bucket?list-type=2' | grep -q '<Key>hello.txt</Key>'"
  check "s3cmd setacl --acl-private on the bucket: anonymous listing is 403 again" in_s3c "s3c setacl --acl-private s3://s3cmd-bucket && [ \"\$(curl -sS -o /dev/null -w '%{http_code}' '$ENDPOINT/s3cmd-bucket?list-type=2')\" = 403 ]"
  check "s3cmd del" in_s3c "s3c del s3://s3cmd-bucket/hello.txt s3://s3cmd-bucket/big.bin s3://s3cmd-bucket/public.txt && [ -z \"\$(s3c ls s3://s3cmd-bucket/)\" ]"
  rm -f "$WORK/s3cmd-big.bin" "$WORK/s3cmd-big.back"
else
  fail "s3cmd not installed"
fi

if stop_dev INT; then pass "SIGINT stops the dev cluster with status 0"; else fail "SIGINT exit status $? (dev stderr below)"; tail -n 20 "$WORK/dev.err"; fi
sleep 0.5
if no_children_left; then pass "no process of the cluster is left after SIGINT"; else fail "processes left after SIGINT"; pgrep -af "$WORK/data"; fi

if start_dev; then pass "dev restarts on the same data dir"; else fail "restart"; tail -n 30 "$WORK/dev.err"; exit 1; fi
check "after restart the 32 MiB object reads back identical" bash -c "$(declare -f aws_s3); AWS_BIN='$AWS_BIN' ENDPOINT='$ENDPOINT' aws_s3 cp --no-progress s3://e2e-bucket/dir/big.bin '$WORK/big.again' && cmp '$WORK/big.bin' '$WORK/big.again'"
check "after restart rclone still lists its objects" bash -c "rclone lsf -R obj:rclone-bucket | grep -q 'tree/hello.txt'"
check "aws s3 rm --recursive empties a bucket (DeleteObjects)" bash -c "$(declare -f aws_s3); AWS_BIN='$AWS_BIN' ENDPOINT='$ENDPOINT' aws_s3 rm --recursive s3://e2e-bucket && [ -z \"\$(AWS_BIN='$AWS_BIN' ENDPOINT='$ENDPOINT' aws_s3 ls s3://e2e-bucket --recursive)\" ]"
if stop_dev TERM; then pass "SIGTERM stops the dev cluster with status 0"; else fail "SIGTERM exit status"; fi
sleep 0.5
if no_children_left; then pass "no process of the cluster is left after SIGTERM"; else fail "processes left after SIGTERM"; fi

# A dev process killed outright (SIGKILL cannot be handled) must not leave its workers and gateway behind:
# they watch their stdin pipe and stop when it closes.
if start_dev; then
  pkill -KILL -f "main.ts dev --port 0 --data-dir $WORK/data"
  for _ in $(seq 1 100); do no_children_left && break; sleep 0.1; done
  if no_children_left; then pass "no process of the cluster outlives a SIGKILLed dev process"; else
    fail "processes left after SIGKILL of the dev process"; pgrep -af "$WORK/data"
  fi
  wait "$DEV_PID" 2>/dev/null
  DEV_PID=""
else
  fail "third start of the dev cluster"
fi

[ "$failures" = 0 ]
