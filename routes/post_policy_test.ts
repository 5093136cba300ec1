import { assertEquals } from "../tests/support/asserts.ts";
import { checkPostPolicy, parsePostPolicy } from "./post_policy.ts";
import { thrownS3Code } from "./s3_error_test_support.ts";

const NOW = Date.UTC(2026, 10, 25, 12);
const policy = (conditions: unknown[], expiration = "2026-11-26T00:00:00.000Z") =>
  parsePostPolicy(btoa(JSON.stringify({ expiration, conditions })));

Deno.test("parsePostPolicy: the condition forms S3 documents, and nothing else", () => {
  const parsed = policy([
    { bucket: "b" },
    ["eq", "$Key", "k"],
    ["starts-with", "$Content-Type", "image/"],
    ["content-length-range", 1, 10],
  ]);
  assertEquals(parsed.conditions, [
    { kind: "eq", field: "bucket", value: "b" },
    { kind: "eq", field: "key", value: "k" },
    { kind: "starts-with", field: "content-type", prefix: "image/" },
    { kind: "content-length-range", min: 1, max: 10 },
  ]);
  for (
    const bad of [
      "not base64!",
      btoa("{not json"),
      btoa(JSON.stringify({ conditions: [] })),
      btoa(JSON.stringify({ expiration: "tomorrow", conditions: [] })),
      btoa(JSON.stringify({ expiration: "2026-11-26T00:00:00Z", conditions: [["matches", "$key", "x"]] })),
      btoa(
        JSON.stringify({ expiration: "2026-11-26T00:00:00Z", conditions: [["content-length-range", 10, 1]] }),
      ),
      btoa(JSON.stringify({ expiration: "2026-11-26T00:00:00Z", conditions: [["eq", "key", "x"]] })),
      btoa(JSON.stringify({ expiration: "2026-11-26T00:00:00Z", conditions: [{ a: "1", b: "2" }] })),
    ]
  ) {
    assertEquals(thrownS3Code(() => parsePostPolicy(bad)), "InvalidPolicyDocument", bad);
  }
});

Deno.test("checkPostPolicy: expiry, each condition, sizes and unnamed fields", () => {
  const rules = policy([
    { bucket: "b" },
    ["starts-with", "$key", "up/"],
    ["starts-with", "$Content-Type", "image/"],
    ["content-length-range", 1, 100],
    ["starts-with", "$x-amz-meta-tag", ""],
  ]);
  const fields = (extra: Record<string, string> = {}) =>
    new Map(
      Object.entries({
        bucket: "b",
        key: "up/a",
        "content-type": "image/png",
        "x-amz-meta-tag": "",
        ...extra,
      }),
    );
  checkPostPolicy(rules, fields({ policy: "p", "x-amz-signature": "s", "x-ignore-me": "1" }), 50, NOW);
  checkPostPolicy(rules, fields({ "content-type": "image/png, image/jpeg" }), 50, NOW);
  const cases: Array<[Map<string, string>, number, number, string]> = [
    [fields(), 50, Date.UTC(2026, 10, 26, 1), "AccessDenied"],
    [fields({ bucket: "other" }), 50, NOW, "AccessDenied"],
    [fields({ key: "down/a" }), 50, NOW, "AccessDenied"],
    [fields({ "content-type": "image/png, text/html" }), 50, NOW, "AccessDenied"],
    [fields(), 101, NOW, "EntityTooLarge"],
    [fields(), 0, NOW, "EntityTooSmall"],
    [fields({ acl: "public-read" }), 50, NOW, "AccessDenied"],
  ];
  for (const [form, size, now, code] of cases) {
    assertEquals(
      thrownS3Code(() => checkPostPolicy(rules, form, size, now)),
      code,
      JSON.stringify([...form]),
    );
  }
});
