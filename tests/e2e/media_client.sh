#!/usr/bin/env bash
# End to end as a CDN origin for media: starts `deno task dev` (9 workers, 1 gateway), uploads a small
# H.264 MP4 made by ffmpeg with the AWS CLI, has ffprobe and ffmpeg read it through a presigned URL
# (they issue Range requests), then checks conditional and ranged requests with curl on that URL.
# Prints one `PASS: …` or `FAIL: …` line per check. Traffic stays on 127.0.0.1.
set -uo pipefail

# shellcheck source=tests/e2e/e2e_lib.sh
source "$(dirname "$0")/e2e_lib.sh"
WORK="$(mktemp -d /tmp/objstore-media.XXXXXX)"
# expect NAME ACTUAL EXPECTED
expect() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', expected '$3'"; fi; }

cleanup() {
  # The dev cluster runs in its own session (setsid), so its process group id is DEV_PID: stopping the
  # group stops the task runner, the dev process, its workers and gateway, and nothing else.
  if [ -n "$DEV_PID" ] && kill -0 "$DEV_PID" 2>/dev/null; then
    kill -TERM -- "-$DEV_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$DEV_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$DEV_PID" 2>/dev/null || true
    wait "$DEV_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in ffmpeg ffprobe; do
  if ! command -v "$tool" >/dev/null 2>&1; then fail "$tool not installed"; exit 1; fi
done
if ! command -v curl >/dev/null 2>&1; then fail "curl not installed"; exit 1; fi
if [ -z "$AWS_BIN" ]; then fail "aws (awscli) not installed"; exit 1; fi

CLIP="$WORK/clip.mp4"
if ffmpeg -v error -f lavfi -i testsrc=duration=3:size=320x240:rate=25 -pix_fmt yuv420p \
  -movflags +faststart "$CLIP" 2>"$WORK/ffmpeg.log"; then
  pass "ffmpeg makes a 3 s 320x240 MP4 ($(stat -c %s "$CLIP") bytes)"
else
  fail "ffmpeg could not make the clip"; cat "$WORK/ffmpeg.log"; exit 1
fi
SIZE="$(stat -c %s "$CLIP")"
# What the local file says, to compare with what ffprobe reads over HTTP.
LOCAL_CODEC="$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 "$CLIP")"

(cd "$ROOT" && exec setsid "$DENO" task dev --port 0 --data-dir "$WORK/data") >"$WORK/dev.out" 2>"$WORK/dev.err" &
DEV_PID=$!
if wait_for_dev "$WORK/dev.out"; then pass "deno task dev prints endpoint and keys"; else
  fail "deno task dev did not start"; tail -n 30 "$WORK/dev.err"; exit 1
fi
# Older CLIs presign with SigV2 unless told otherwise; the gateway speaks SigV4 only.
printf '[default]\ns3 =\n    signature_version = s3v4\n' >"$WORK/aws-config"
export AWS_CONFIG_FILE="$WORK/aws-config"
aws_s3() { "$AWS_BIN" --endpoint-url "$ENDPOINT" s3 "$@"; }

if aws_s3 mb s3://media >"$WORK/aws.log" 2>&1 &&
  aws_s3 cp --no-progress --content-type video/mp4 "$CLIP" s3://media/clips/clip.mp4 >>"$WORK/aws.log" 2>&1; then
  pass "aws s3 cp uploads the clip"
else
  fail "aws s3 cp"; tail -n 20 "$WORK/aws.log"; exit 1
fi
URL="$(aws_s3 presign s3://media/clips/clip.mp4 --expires-in 600 2>>"$WORK/aws.log")"
case "$URL" in
  *X-Amz-Signature=*) pass "aws s3 presign makes a SigV4 URL" ;;
  *) fail "aws s3 presign: $URL"; exit 1 ;;
esac

# ffprobe opens the MP4 over HTTP, seeking with Range requests.
if ffprobe -v error -show_format -show_streams "$URL" >"$WORK/probe.txt" 2>"$WORK/probe.err"; then
  pass "ffprobe reads the clip through the presigned URL"
else
  fail "ffprobe over HTTP"; cat "$WORK/probe.err"
fi
duration="$(sed -n 's/^duration=//p' "$WORK/probe.txt" | head -n 1)"
if awk -v d="${duration:-0}" 'BEGIN { exit !(d > 2.9 && d < 3.1) }'; then pass "ffprobe: duration is 3 s ($duration)"; else
  fail "ffprobe: duration '$duration'"
fi
expect "ffprobe: codec is the clip's ($LOCAL_CODEC)" "$(sed -n 's/^codec_name=//p' "$WORK/probe.txt" | head -n 1)" "$LOCAL_CODEC"
expect "ffprobe: 320x240" "$(sed -n 's/^width=//p;s/^height=//p' "$WORK/probe.txt" | tr '\n' x)" "320x240x"
expect "ffprobe: size is the uploaded size" "$(sed -n 's/^size=//p' "$WORK/probe.txt")" "$SIZE"
frames="$(ffmpeg -v error -ss 2 -i "$URL" -map 0:v:0 -f framemd5 - 2>"$WORK/seek.err" | grep -vc '^#')"
expect "ffmpeg seeks to 2 s over HTTP and decodes the last second (25 frames)" "$frames" "25"

# curl on the presigned URL: the validators first, from a plain GET.
status="$(curl -s -D "$WORK/get.headers" -o "$WORK/get.body" -w '%{http_code}' "$URL")"
expect "GET through the presigned URL is 200" "$status" "200"
if cmp -s "$WORK/get.body" "$CLIP"; then pass "GET returns the clip byte for byte"; else fail "GET body differs"; fi
header() { sed -n "s/^$1: //Ip" "$WORK/get.headers" | tr -d '\r'; }
ETAG="$(header etag)"
LAST_MODIFIED="$(header last-modified)"
expect "GET has Accept-Ranges: bytes" "$(header accept-ranges)" "bytes"
expect "GET has the uploaded Content-Type" "$(header content-type)" "video/mp4"

# curl_status NAME EXPECTED_STATUS EXPECTED_BYTES|any -- CURL_ARGS… (body in $WORK/body, headers in $WORK/headers)
curl_status() {
  local name="$1" want_status="$2" want_bytes="$3"; shift 4
  local result
  result="$(curl -s -D "$WORK/headers" -o "$WORK/body" -w '%{http_code} %{size_download}' "$@" "$URL")"
  if [ "$want_bytes" = any ]; then result="${result% *}"; expect "$name" "$result" "$want_status"; else
    expect "$name" "$result" "$want_status $want_bytes"
  fi
}
got_header() { sed -n "s/^$1: //Ip" "$WORK/headers" | tr -d '\r'; }
curl_status "If-None-Match with the ETag is 304 with no body" 304 0 -- -H "If-None-Match: $ETAG"
expect "the 304 keeps the ETag" "$(got_header etag)" "$ETAG"
expect "the 304 keeps Last-Modified" "$(got_header last-modified)" "$LAST_MODIFIED"
curl_status "If-None-Match with another ETag is 200" 200 "$SIZE" -- -H 'If-None-Match: "0000"'
curl_status "Range bytes=0-99 is 206 with 100 bytes" 206 100 -- -H 'Range: bytes=0-99'
expect "the 206 names the range" "$(got_header content-range)" "bytes 0-99/$SIZE"
if cmp -s "$WORK/body" <(head -c 100 "$CLIP"); then pass "the 100 bytes are the clip's first"; else fail "range bytes differ"; fi
curl_status "Range bytes=-10 is 206 with the last 10 bytes" 206 10 -- -H 'Range: bytes=-10'
curl_status "Range past the end is 416" 416 any -- -H "Range: bytes=$SIZE-"
expect "the 416 has Content-Range bytes */size" "$(got_header content-range)" "bytes */$SIZE"
curl_status "If-Modified-Since in the future is 304" 304 0 -- -H 'If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT'
curl_status "If-Modified-Since at Last-Modified is 304" 304 0 -- -H "If-Modified-Since: $LAST_MODIFIED"
curl_status "If-Modified-Since long ago is 200" 200 "$SIZE" -- -H 'If-Modified-Since: Thu, 01 Jan 1998 00:00:00 GMT'
curl_status "If-Match with another ETag is 412" 412 any -- -H 'If-Match: "0000"'
grep -q '<Code>PreconditionFailed</Code>' "$WORK/body" && pass "412 carries the S3 error body" || fail "412 body"
curl_status "If-Range with a stale ETag serves the whole clip with 200" 200 "$SIZE" -- -H 'Range: bytes=0-99' -H 'If-Range: "0000"'
curl_status "If-Range with the current ETag honours the Range" 206 100 -- -H 'Range: bytes=0-99' -H "If-Range: $ETAG"
# A Last-Modified is a strong validator only once it is a second old (RFC 9110 §8.8.2.2); the clip may be newer.
sleep 1.1
curl_status "If-Range with the Last-Modified date honours the Range" 206 100 -- -H 'Range: bytes=0-99' -H "If-Range: $LAST_MODIFIED"
curl_status "If-Range with an older date serves the whole clip" 200 "$SIZE" -- -H 'Range: bytes=0-99' -H 'If-Range: Thu, 01 Jan 1998 00:00:00 GMT'

[ "$failures" = 0 ]
