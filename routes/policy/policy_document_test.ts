import { assert, assertEquals } from "../../tests/support/asserts.ts";
import { S3Error } from "../s3_errors.ts";
import { parseBucketPolicy } from "./policy_document.ts";

const BUCKET = "media";

function statement(fields: Record<string, unknown>): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: `arn:aws:s3:::${BUCKET}/*`,
      ...fields,
    }],
  });
}

Deno.test("parseBucketPolicy() accepts the public-read policy and compiles one statement", () => {
  const policy = parseBucketPolicy(statement({ Sid: "PublicRead" }), BUCKET);
  assertEquals(policy.version, "2012-10-17");
  assertEquals(policy.statements.length, 1);
  assertEquals(policy.statements[0].sid, "PublicRead");
  assertEquals(policy.statements[0].principals.anyone, true);
});

Deno.test("parseBucketPolicy() accepts a single statement object, 2008-10-17 and no Version", () => {
  const one = {
    Effect: "Deny",
    NotPrincipal: { AWS: ["arn:aws:iam::abc:root"] },
    NotAction: "s3:Get*",
    NotResource: "arn:aws:s3:::media",
  };
  assertEquals(
    parseBucketPolicy(JSON.stringify({ Version: "2008-10-17", Statement: one }), BUCKET).statements.length,
    1,
  );
  assertEquals(parseBucketPolicy(JSON.stringify({ Statement: [one] }), BUCKET).version, "2008-10-17");
});

Deno.test("parseBucketPolicy() accepts every supported operator and condition key", () => {
  const condition = {
    StringEquals: { "s3:prefix": ["a/", "b/"] },
    StringNotEquals: { "aws:UserAgent": "bot" },
    StringLike: { "aws:Referer": "https://*.example.com/*" },
    StringNotLike: { "s3:delimiter": "?" },
    IpAddress: { "aws:SourceIp": ["127.0.0.0/8", "::1"] },
    NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" },
    Bool: { "aws:SecureTransport": false },
  };
  assertEquals(
    parseBucketPolicy(statement({ Condition: condition }), BUCKET).statements[0].conditions.length,
    7,
  );
});

/** A malformed document and a piece of text its MalformedPolicy message must contain. */
const MALFORMED: readonly [string, string, string][] = [
  ["not JSON", "{", "valid JSON"],
  ["an array document", "[]", "JSON object"],
  ["an empty body", "", "valid JSON"],
  ["an unknown Version", JSON.stringify({ Version: "2020-01-01", Statement: [] }), "Version"],
  ["no Statement", JSON.stringify({ Version: "2012-10-17" }), "Statement"],
  ["an empty Statement array", JSON.stringify({ Version: "2012-10-17", Statement: [] }), "Statement"],
  ["an unknown top-level key", JSON.stringify({ ...JSON.parse(statement({})), Foo: 1 }), "Foo"],
  ["a bad Effect", statement({ Effect: "Maybe" }), "Statement.0.Effect"],
  ["an unknown statement key", statement({ Bogus: true }), "Bogus"],
  ["no Principal", statement({ Principal: undefined }), "Principal and NotPrincipal"],
  ["both Principal and NotPrincipal", statement({ NotPrincipal: "*" }), "got both"],
  ["a CanonicalUser principal", statement({ Principal: { CanonicalUser: "x" } }), "Principal"],
  ["a principal that is a number", statement({ Principal: 5 }), "Principal"],
  ["no Action", statement({ Action: undefined }), "Action and NotAction"],
  ["an action without s3:", statement({ Action: "iam:PassRole" }), "iam:PassRole"],
  ["an action with spaces", statement({ Action: "s3:Get Object" }), "s3:Get Object"],
  ["an empty Action array", statement({ Action: [] }), "Action"],
  ["both Resource and NotResource", statement({ NotResource: "arn:aws:s3:::media" }), "got both"],
  ["another bucket's resource", statement({ Resource: "arn:aws:s3:::other/*" }), "arn:aws:s3:::other/*"],
  ["a bucket-name prefix resource", statement({ Resource: "arn:aws:s3:::media-2/*" }), "media-2"],
  ["a wildcard resource", statement({ Resource: "*" }), '"*"'],
  ["a resource that is not an S3 ARN", statement({ Resource: "arn:aws:sqs:::media" }), "arn:aws:sqs"],
  ["a policy variable", statement({ Resource: "arn:aws:s3:::media/${aws:username}/*" }), "variables"],
  [
    "an unknown operator",
    statement({ Condition: { NumericEquals: { "s3:max-keys": "10" } } }),
    "NumericEquals",
  ],
  [
    "an IfExists operator",
    statement({ Condition: { StringEqualsIfExists: { "s3:prefix": "a" } } }),
    "StringEqualsIfExists",
  ],
  [
    "an unknown condition key",
    statement({ Condition: { StringEquals: { "aws:CurrentTime": "x" } } }),
    "aws:CurrentTime",
  ],
  ["a bad CIDR", statement({ Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/40" } } }), "10.0.0.0/40"],
  ["a bad Bool", statement({ Condition: { Bool: { "aws:SecureTransport": "maybe" } } }), "maybe"],
  ["a condition that is not an object", statement({ Condition: "yes" }), "Condition"],
];

for (const [name, text, mention] of MALFORMED) {
  Deno.test(`parseBucketPolicy() rejects ${name} with MalformedPolicy naming the problem`, () => {
    let error: unknown = null;
    try {
      parseBucketPolicy(text, BUCKET);
    } catch (caught) {
      error = caught;
    }
    assert(error instanceof S3Error, `expected an S3Error, got ${error}`);
    assertEquals([error.code, error.status], ["MalformedPolicy", 400]);
    assert(error.message.includes(mention), `expected "${mention}" in "${error.message}"`);
  });
}
