# shellcheck shell=bash
# Shared by the end-to-end scripts (sourced, not run): paths, PASS/FAIL reporting, and waiting for
# `deno task dev` to print its endpoint and keys. Each script starts and stops the cluster itself.

DENO="${DENO:-deno}"
# This machine points AWS_CA_BUNDLE at the system store; plain HTTP needs none, and rclone refuses a
# custom bundle for plain HTTP.
unset AWS_CA_BUNDLE
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
AWS_BIN="$(command -v /usr/bin/aws || command -v aws)"
DEV_PID=""
failures=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# wait_for_dev OUT_FILE: waits (at most 60 s) until the dev cluster whose stdout is OUT_FILE has printed
# its keys or DEV_PID has exited, then sets ENDPOINT and exports the AWS credentials it printed.
wait_for_dev() {
  local out="$1"
  for _ in $(seq 1 600); do
    if grep -q '^secret key: ' "$out"; then break; fi
    if ! kill -0 "$DEV_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  ENDPOINT="$(sed -n 's/^endpoint: //p' "$out")"
  AWS_ACCESS_KEY_ID="$(sed -n 's/^access key: //p' "$out")"
  AWS_SECRET_ACCESS_KEY="$(sed -n 's/^secret key: //p' "$out")"
  export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
  export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""
  [ -n "$ENDPOINT" ]
}
