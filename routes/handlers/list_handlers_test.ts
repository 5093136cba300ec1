import { assert, assertEquals } from "../../tests/support/asserts.ts";
import { assertThrows } from "../../tests/support/throws_test_support.ts";
import { S3Error } from "../s3_errors.ts";
import { decodeContinuationToken, encodeContinuationToken } from "./list_handlers.ts";

const HOSTILE_KEYS: readonly [string, string][] = [
  ["an empty key", ""],
  ["one letter", "a"],
  ["a common prefix", "photos/2024/"],
  ["base64 punctuation", "+/=+/=="],
  ["a space and a percent escape", " %2F "],
  ["a NUL", "\u0000"],
  ["control characters", "\u0001\n\r\t\u007F"],
  ["a 2-byte character", "é"],
  ["3-byte characters", "日本語"],
  ["a 4-byte character", "😀"],
  ["U+FFFD", "\uFFFD"],
  ["the highest code point", "\u{10FFFF}"],
  ["a byte order mark inside", "a\uFEFFb"],
  ["1024 ASCII bytes", "k".repeat(1024)],
  ["1024 bytes of 4-byte characters", "😀".repeat(256)],
];

for (const [name, key] of HOSTILE_KEYS) {
  Deno.test(`decodeContinuationToken() returns the key encodeContinuationToken() was given: ${name}`, () => {
    assertEquals(decodeContinuationToken(encodeContinuationToken(key)), key);
  });
}

Deno.test("decodeContinuationToken() round-trips keys of every length from 0 to 12 bytes (every padding)", () => {
  for (let length = 0; length <= 12; length++) {
    const key = "abcdefghijkl".slice(0, length);
    assertEquals(decodeContinuationToken(encodeContinuationToken(key)), key, `length ${length}`);
  }
});

Deno.test("encodeContinuationToken() uses only URL-safe characters, without padding", () => {
  for (const [, key] of HOSTILE_KEYS) {
    const token = encodeContinuationToken(key);
    assert(/^[A-Za-z0-9_-]*$/.test(token), `${JSON.stringify(key)} gave ${JSON.stringify(token)}`);
  }
});

Deno.test("encodeContinuationToken() gives different keys different tokens", () => {
  const tokens = new Set(HOSTILE_KEYS.map(([, key]) => encodeContinuationToken(key)));
  assertEquals(tokens.size, HOSTILE_KEYS.length);
});

const GARBAGE_TOKENS: readonly [string, string][] = [
  ["punctuation", "!!!"],
  ["standard base64 '+' and '/'", "a+/b"],
  ["padding", "YQ=="],
  ["a space", "YW Jj"],
  ["a percent escape", "%41"],
  ["a non-ASCII character", "é"],
  ["one character (an impossible base64 length)", "a"],
  ["five characters (an impossible base64 length)", "abcde"],
  ["a byte 0xFF", "_w"],
  ["a lone continuation byte", "gA"],
  ["a truncated 2-byte sequence", "ww"],
  ["an overlong '/'", "wK8"],
  ["an encoded surrogate", "7aCA"],
  ["a code point above U+10FFFF", "9JCAgA"],
  ["a newline", "YQ\n"],
];

for (const [name, token] of GARBAGE_TOKENS) {
  Deno.test(`decodeContinuationToken() rejects a token with ${name} as InvalidArgument`, () => {
    const error = assertThrows(() => decodeContinuationToken(token), `${JSON.stringify(token)} was accepted`);
    assert(error instanceof S3Error, `expected S3Error, got ${error}`);
    assertEquals(error.code, "InvalidArgument");
    assertEquals(error.details, { ArgumentName: "continuation-token" });
  });
}
