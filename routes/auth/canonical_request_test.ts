import assert from "node:assert/strict";
import {
  canonicalHeaders,
  canonicalHeaderValue,
  canonicalQueryString,
  canonicalRequest,
  canonicalUri,
  decodeQuery,
} from "./canonical_request.ts";
import { rawRequestTarget } from "./raw_target.ts";

Deno.test("canonicalUri() keeps an already-encoded path as sent (no double encoding)", () => {
  assert.equal(canonicalUri("/bucket/a%20b/%C3%BC%2B~%3D.txt"), "/bucket/a%20b/%C3%BC%2B~%3D.txt");
});

Deno.test("canonicalUri() re-encodes per RFC 3986: upper-case hex, raw reserved characters escaped", () => {
  const cases: [string, string][] = [
    ["/b/%7e%2b%3d", "/b/~%2B%3D"],
    ["/b/a+b", "/b/a%2Bb"],
    ["/b/it's(1)*!", "/b/it%27s%281%29%2A%21"],
    ["/b/ü", "/b/%C3%BC"],
    ["/b/%F0%9F%98%80", "/b/%F0%9F%98%80"],
    ["/b/😀", "/b/%F0%9F%98%80"],
    ["/b/%zz%", "/b/%25zz%25"],
    ["/b/%FF%00", "/b/%FF%00"],
    ["/b//x/", "/b//x/"],
    ["/b/a/../c/./d", "/b/a/../c/./d"],
    ["", "/"],
  ];
  for (const [raw, canonical] of cases) assert.equal(canonicalUri(raw), canonical, raw);
});

Deno.test("canonicalQueryString() sorts by encoded name then value, keeps empty values and repeats", () => {
  assert.equal(canonicalQueryString("b=2&a=&b=1&acl&A=z"), "A=z&a=&acl=&b=1&b=2");
});

Deno.test("canonicalQueryString() reads + as a space and re-encodes everything else once", () => {
  assert.equal(canonicalQueryString("prefix=a+b%2Bc&x=%7e&y=%2f"), "prefix=a%20b%2Bc&x=~&y=%2F");
});

Deno.test("canonicalQueryString() drops the excluded parameter and empty pieces", () => {
  assert.equal(canonicalQueryString("X-Amz-Signature=abc&&b=1&", "X-Amz-Signature"), "b=1");
});

Deno.test("decodeQuery() returns decoded pairs in order", () => {
  assert.deepEqual(decodeQuery("a=1&b&c=%C3%BC+x"), [["a", "1"], ["b", ""], ["c", "ü x"]]);
});

Deno.test("canonicalHeaderValue() trims and collapses runs of spaces and tabs", () => {
  assert.equal(canonicalHeaderValue("  a   b\t\tc  "), "a b c");
});

Deno.test("canonicalHeaders() lists signed headers in the given order, host falling back to the URL", () => {
  const headers = new Headers({ "x-amz-date": "20261125T083000Z", "content-type": " text/plain " });
  assert.equal(
    canonicalHeaders(headers, ["content-type", "host", "x-amz-date"], "h:9000"),
    "content-type:text/plain\nhost:h:9000\nx-amz-date:20261125T083000Z\n",
  );
});

Deno.test("canonicalRequest() joins the six parts with newlines", () => {
  const text = canonicalRequest({
    method: "GET",
    rawPath: "/b/k",
    rawQuery: "list-type=2",
    headers: new Headers({ host: "h" }),
    hostFallback: "ignored",
    signedHeaders: ["host"],
    payloadHash: "UNSIGNED-PAYLOAD",
  });
  assert.equal(text, "GET\n/b/k\nlist-type=2\nhost:h\n\nhost\nUNSIGNED-PAYLOAD");
});

Deno.test("rawRequestTarget() keeps dot segments, backslashes and escapes as sent", () => {
  assert.deepEqual(rawRequestTarget("http://h:1/b/a/../x%2e\\y?q=a+b&z"), {
    path: "/b/a/../x%2e\\y",
    query: "q=a+b&z",
  });
  assert.deepEqual(rawRequestTarget("http://h"), { path: "/", query: "" });
  assert.deepEqual(rawRequestTarget("http://h/?"), { path: "/", query: "" });
});
