import { assertEquals } from "../tests/support/asserts.ts";
import { notModifiedHeaders, type ResponseHeaderMap } from "./object_headers.ts";

Deno.test("notModifiedHeaders() keeps the validators, caching headers and Vary of the 200 (RFC 9110 §15.4.5)", () => {
  const full: ResponseHeaderMap = new Map([
    ["content-type", "video/mp4"],
    ["content-length", "1000"],
    ["etag", '"0123"'],
    ["last-modified", "Wed, 04 Mar 2026 05:06:07 GMT"],
    ["accept-ranges", "bytes"],
    ["cache-control", "public, max-age=60"],
    ["expires", "Thu, 01 Jan 2037 00:00:00 GMT"],
    ["vary", "Origin"],
    ["x-amz-meta-codec", "h264"],
  ]);
  assertEquals(
    [...notModifiedHeaders(full)].sort(),
    [
      ["cache-control", "public, max-age=60"],
      ["etag", '"0123"'],
      ["expires", "Thu, 01 Jan 2037 00:00:00 GMT"],
      ["last-modified", "Wed, 04 Mar 2026 05:06:07 GMT"],
      ["vary", "Origin"],
    ],
  );
});

Deno.test("notModifiedHeaders() adds none of the kept headers the 200 lacks", () => {
  const full: ResponseHeaderMap = new Map([["etag", '"0123"'], ["content-type", "text/plain"]]);
  assertEquals([...notModifiedHeaders(full)], [["etag", '"0123"']]);
});
