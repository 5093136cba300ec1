import assert from "node:assert/strict";
import { toHex } from "../../storage/core/mod.ts";
import { deriveSigningKey, SigningKeyCache } from "./signing_key.ts";

const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

Deno.test("deriveSigningKey() matches the AWS documentation example (20120215/us-east-1/iam)", () => {
  assert.equal(
    toHex(deriveSigningKey(SECRET, "20120215", "us-east-1", "iam")),
    "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d",
  );
});

Deno.test("SigningKeyCache.get() returns the derived key and reuses it", () => {
  const cache = new SigningKeyCache(4);
  const first = cache.get(SECRET, "20261125", "us-east-1", "s3");
  assert.deepEqual(first, deriveSigningKey(SECRET, "20261125", "us-east-1", "s3"));
  assert.equal(cache.get(SECRET, "20261125", "us-east-1", "s3"), first);
  assert.notDeepEqual(cache.get("other", "20261125", "us-east-1", "s3"), first);
});

Deno.test("SigningKeyCache holds at most maxEntries keys, dropping the least recently used", () => {
  const cache = new SigningKeyCache(2);
  const a = cache.get("a", "20261125", "r", "s3");
  cache.get("b", "20261125", "r", "s3");
  cache.get("a", "20261125", "r", "s3"); // a is now the most recent
  cache.get("c", "20261125", "r", "s3"); // evicts b
  assert.equal(cache.size, 2);
  assert.equal(cache.get("a", "20261125", "r", "s3"), a);
});

Deno.test("SigningKeyCache rejects a size below 1", () => {
  assert.throws(() => new SigningKeyCache(0), RangeError);
});
