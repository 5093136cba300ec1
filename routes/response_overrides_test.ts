import { assert, assertEquals } from "../tests/support/asserts.ts";
import { assertThrows } from "../tests/support/throws_test_support.ts";
import { applyResponseOverrides, parseResponseOverrides } from "./response_overrides.ts";
import { S3Error } from "./s3_errors.ts";

const ALL_SIX = new URLSearchParams({
  "response-cache-control": "no-cache",
  "response-content-disposition": 'attachment; filename="clip.mp4"',
  "response-content-encoding": "identity",
  "response-content-language": "fr-CA",
  "response-content-type": "video/mp4",
  "response-expires": "Thu, 01 Jan 2037 00:00:00 GMT",
});

Deno.test("parseResponseOverrides() maps each of the six parameters to its header", () => {
  assertEquals(
    [...parseResponseOverrides(ALL_SIX, "header")],
    [
      ["cache-control", "no-cache"],
      ["content-disposition", 'attachment; filename="clip.mp4"'],
      ["content-encoding", "identity"],
      ["content-language", "fr-CA"],
      ["content-type", "video/mp4"],
      ["expires", "Thu, 01 Jan 2037 00:00:00 GMT"],
    ],
  );
});

Deno.test("parseResponseOverrides() honours presigned requests", () => {
  assertEquals(parseResponseOverrides(ALL_SIX, "presigned").size, 6);
});

Deno.test("parseResponseOverrides() is empty without response-* parameters", () => {
  assertEquals(parseResponseOverrides(new URLSearchParams("partNumber=1&x-id=GetObject"), "header").size, 0);
});

Deno.test("parseResponseOverrides() ignores unknown response-* parameters", () => {
  assertEquals(parseResponseOverrides(new URLSearchParams("response-x-foo=1"), "header").size, 0);
});

Deno.test("parseResponseOverrides() of an anonymous request is InvalidRequest", () => {
  const error = assertThrows(() =>
    parseResponseOverrides(new URLSearchParams("response-content-type=text/plain"), "anonymous")
  );
  assert(error instanceof S3Error, `expected S3Error, got ${error}`);
  assertEquals(error.code, "InvalidRequest");
  assertEquals(error.message, "Request specific response headers cannot be used for anonymous GET requests.");
});

Deno.test("parseResponseOverrides() of an anonymous request without overrides is fine", () => {
  assertEquals(parseResponseOverrides(new URLSearchParams(""), "anonymous").size, 0);
});

for (const bad of ["a\r\nx-injected: 1", "a\nb", "a\u0000b", "a\u007fb"]) {
  Deno.test(`parseResponseOverrides() refuses the control characters in ${JSON.stringify(bad)}`, () => {
    const params = new URLSearchParams({ "response-content-type": bad });
    const error = assertThrows(() => parseResponseOverrides(params, "header"));
    assert(error instanceof S3Error, `expected S3Error, got ${error}`);
    assertEquals(error.code, "InvalidArgument");
    assertEquals(error.details.ArgumentName, "response-content-type");
  });
}

Deno.test("parseResponseOverrides() keeps a tab and puts non-ASCII text on the wire as UTF-8", () => {
  const params = new URLSearchParams({
    "response-content-disposition": 'attachment;\tfilename="été 🎬.mp4"',
  });
  const value = parseResponseOverrides(params, "header").get("content-disposition")!;
  const bytes = Uint8Array.from(value, (char) => char.charCodeAt(0));
  assertEquals(new TextDecoder().decode(bytes), 'attachment;\tfilename="été 🎬.mp4"');
  // The byte string is a valid header value.
  assertEquals(new Headers({ "content-disposition": value }).get("content-disposition"), value);
});

Deno.test("applyResponseOverrides() replaces stored headers and adds missing ones", () => {
  const headers = new Map([["content-type", "binary/octet-stream"], ["etag", '"x"']]);
  applyResponseOverrides(headers, parseResponseOverrides(ALL_SIX, "header"));
  assertEquals(headers.get("content-type"), "video/mp4");
  assertEquals(headers.get("cache-control"), "no-cache");
  assertEquals(headers.get("etag"), '"x"');
});
