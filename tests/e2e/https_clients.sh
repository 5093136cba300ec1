#!/usr/bin/env bash
# End to end over HTTPS: starts `deno task dev --tls` (which makes a self-signed certificate in the data
# dir and prints where it is), then drives the gateway with Debian's awscli, s3cmd and rclone trusting
# that certificate, and fetches `aws s3 presign` URLs with curl. Prints one `PASS: …` or `FAIL: …` line
# per check. Traffic stays on 127.0.0.1.
set -uo pipefail

# shellcheck source=tests/e2e/e2e_lib.sh
source "$(dirname "$0")/e2e_lib.sh"
WORK="$(mktemp -d /tmp/objstore-https.XXXXXX)"

check() { local name="$1"; shift; if "$@" >"$WORK/command.log" 2>&1; then pass "$name"; else fail "$name:"; tail -n 20 "$WORK/command.log"; fi; }

cleanup() {
  if [ -n "$DEV_PID" ] && kill -0 "$DEV_PID" 2>/dev/null; then kill -TERM "$DEV_PID"; wait "$DEV_PID" 2>/dev/null; fi
  pkill -KILL -f "$WORK/data" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in curl s3cmd rclone; do
  if ! command -v "$tool" >/dev/null 2>&1; then fail "$tool not installed"; exit 1; fi
done
if [ -z "$AWS_BIN" ]; then fail "aws (awscli) not installed"; exit 1; fi

(cd "$ROOT" && exec "$DENO" task dev --tls --port 0 --data-dir "$WORK/data") >"$WORK/dev.out" 2>"$WORK/dev.err" &
DEV_PID=$!
if wait_for_dev "$WORK/dev.out"; then pass "deno task dev --tls starts"; else fail "dev --tls did not start"; tail -n 30 "$WORK/dev.err"; exit 1; fi
for _ in $(seq 1 50); do grep -q '^tls certificate: ' "$WORK/dev.out" && break; sleep 0.1; done
CERT="$(sed -n 's/^tls certificate: //p' "$WORK/dev.out")"
if [[ "$ENDPOINT" == https://127.0.0.1:* ]] && [ -s "$CERT" ]; then pass "endpoint is https and the certificate is printed"; else fail "endpoint '$ENDPOINT', certificate '$CERT'"; exit 1; fi
HOSTPORT="${ENDPOINT#https://}"

aws_tls() { "$AWS_BIN" --endpoint-url "$ENDPOINT" --ca-bundle "$CERT" "$@"; }
head -c 2000000 /dev/urandom >"$WORK/blob.bin"
echo "hello over tls" >"$WORK/hello.txt"

check "aws s3 mb over https" aws_tls s3 mb s3://tls-bucket
check "aws s3 cp up over https" aws_tls s3 cp --no-progress "$WORK/blob.bin" s3://tls-bucket/blob.bin
check "aws s3 cp down over https is identical" bash -c "$(declare -f aws_tls); AWS_BIN='$AWS_BIN' ENDPOINT='$ENDPOINT' CERT='$CERT' aws_tls s3 cp --no-progress s3://tls-bucket/blob.bin - | cmp - '$WORK/blob.bin'"
check "aws s3 cp small up" aws_tls s3 cp --no-progress "$WORK/hello.txt" s3://tls-bucket/hello.txt

URL="$(aws_tls s3 presign s3://tls-bucket/hello.txt --expires-in 300 2>"$WORK/presign.err")"
check "curl GETs an 'aws s3 presign' URL over https" bash -c "curl -sS --fail --cacert '$CERT' '$URL' | cmp - '$WORK/hello.txt'"
check "the same URL with a tampered signature is 403" bash -c "[ \"\$(curl -sS -o /dev/null -w '%{http_code}' --cacert '$CERT' '${URL%?????}00000')\" = 403 ]"
check "curl without the certificate refuses the connection" bash -c "! curl -sS -o /dev/null '$URL'"

cat >"$WORK/s3cmd.cfg" <<CFG
[default]
access_key = $AWS_ACCESS_KEY_ID
secret_key = $AWS_SECRET_ACCESS_KEY
host_base = $HOSTPORT
host_bucket = $HOSTPORT
use_https = True
ca_certs_file = $CERT
check_ssl_certificate = True
signature_v2 = False
bucket_location = us-east-1
CFG
s3cmd_tls() { s3cmd -c "$WORK/s3cmd.cfg" "$@"; }
check "s3cmd put over https" s3cmd_tls put "$WORK/blob.bin" s3://tls-bucket/s3cmd.bin
check "s3cmd ls shows it" bash -c "$(declare -f s3cmd_tls); WORK='$WORK' s3cmd_tls ls s3://tls-bucket/ | grep -q s3cmd.bin"
check "s3cmd get is identical" bash -c "$(declare -f s3cmd_tls); WORK='$WORK' s3cmd_tls get --force s3://tls-bucket/s3cmd.bin '$WORK/s3cmd.back' && cmp '$WORK/blob.bin' '$WORK/s3cmd.back'"
check "s3cmd del" s3cmd_tls del s3://tls-bucket/s3cmd.bin

export RCLONE_CONFIG_TLS_TYPE=s3 RCLONE_CONFIG_TLS_PROVIDER=Other RCLONE_CONFIG_TLS_ENDPOINT="$ENDPOINT"
export RCLONE_CONFIG_TLS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" RCLONE_CONFIG_TLS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY"
export RCLONE_CONFIG_TLS_REGION=us-east-1
check "rclone copy over https" rclone --ca-cert "$CERT" copy "$WORK/hello.txt" tls:tls-bucket/rclone
check "rclone cat over https" bash -c "rclone --ca-cert '$CERT' cat tls:tls-bucket/rclone/hello.txt | cmp - '$WORK/hello.txt'"

kill -TERM "$DEV_PID"; wait "$DEV_PID"; status=$?; DEV_PID=""
if [ "$status" = 0 ]; then pass "SIGTERM stops the TLS dev cluster with status 0"; else fail "SIGTERM exit status $status"; fi
# A restart reuses the certificate made the first time.
before="$(sha256sum "$CERT")"
(cd "$ROOT" && exec "$DENO" task dev --tls --port 0 --data-dir "$WORK/data") >"$WORK/dev2.out" 2>"$WORK/dev2.err" &
DEV_PID=$!
if wait_for_dev "$WORK/dev2.out" && [ "$(sha256sum "$CERT")" = "$before" ]; then pass "a restart reuses the certificate"; else fail "restart with --tls"; fi
check "after restart the object reads back over https" bash -c "$(declare -f aws_tls); AWS_BIN='$AWS_BIN' ENDPOINT='$ENDPOINT' CERT='$CERT' aws_tls s3 cp --no-progress s3://tls-bucket/blob.bin - | cmp - '$WORK/blob.bin'"

[ "$failures" = 0 ]
