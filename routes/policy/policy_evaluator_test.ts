import { assertEquals } from "../../tests/support/asserts.ts";
import { parseBucketPolicy } from "./policy_document.ts";
import {
  callerArn,
  evaluatePolicy,
  type PolicyDecision,
  type PolicyRequest,
  resourceArn,
} from "./policy_evaluator.ts";

const OWNER = "0123abcd";
const OTHER = "9999ffff";
const PUBLIC_READ = {
  Effect: "Allow",
  Principal: "*",
  Action: "s3:GetObject",
  Resource: "arn:aws:s3:::media/*",
};
const DENY_PRIVATE = {
  Effect: "Deny",
  Principal: "*",
  Action: "s3:*",
  Resource: "arn:aws:s3:::media/private/*",
};

interface EvaluationCase {
  readonly name: string;
  readonly statements: readonly Record<string, unknown>[];
  readonly callerId?: string | null;
  readonly action?: string;
  readonly key?: string;
  readonly context?: Record<string, string | undefined>;
  readonly expected: PolicyDecision;
}

const CASES: readonly EvaluationCase[] = [
  { name: "public read allows an anonymous GetObject", statements: [PUBLIC_READ], expected: "allow" },
  {
    name: "public read allows any object key, slashes included",
    statements: [PUBLIC_READ],
    key: "a/b/c.txt",
    expected: "allow",
  },
  {
    name: "public read says nothing of PutObject",
    statements: [PUBLIC_READ],
    action: "s3:PutObject",
    expected: "none",
  },
  {
    name: "public read says nothing of ListBucket on the bucket",
    statements: [PUBLIC_READ],
    action: "s3:ListBucket",
    key: undefined,
    expected: "none",
  },
  {
    name: "action names compare case-insensitively",
    statements: [{ ...PUBLIC_READ, Action: "S3:getobject" }],
    expected: "allow",
  },
  {
    name: "an action wildcard matches",
    statements: [{ ...PUBLIC_READ, Action: "s3:Get*" }],
    action: "s3:GetObjectAcl",
    expected: "allow",
  },
  {
    name: "a ? wildcard matches one character",
    statements: [{ ...PUBLIC_READ, Action: "s3:?etObject" }],
    expected: "allow",
  },
  {
    name: "an action list matches any member",
    statements: [{ ...PUBLIC_READ, Action: ["s3:PutObject", "s3:GetObject"] }],
    expected: "allow",
  },
  {
    name: "NotAction applies to other actions",
    statements: [{ ...PUBLIC_READ, Action: undefined, NotAction: "s3:DeleteObject" }],
    action: "s3:PutObject",
    expected: "allow",
  },
  {
    name: "NotAction excludes the named action",
    statements: [{ ...PUBLIC_READ, Action: undefined, NotAction: "s3:Delete*" }],
    action: "s3:DeleteObject",
    expected: "none",
  },
  {
    name: "a key pattern limits the resource",
    statements: [{ ...PUBLIC_READ, Resource: "arn:aws:s3:::media/public/*" }],
    key: "private/x",
    expected: "none",
  },
  {
    name: "resource keys compare case-sensitively",
    statements: [{ ...PUBLIC_READ, Resource: "arn:aws:s3:::media/Public/*" }],
    key: "public/x",
    expected: "none",
  },
  {
    name: "resource ? matches one 4-byte character",
    statements: [{ ...PUBLIC_READ, Resource: "arn:aws:s3:::media/?.txt" }],
    key: "😀.txt",
    expected: "allow",
  },
  {
    name: "regexp characters in a key pattern are literal",
    statements: [{ ...PUBLIC_READ, Resource: "arn:aws:s3:::media/a.(b)+[c]" }],
    key: "a.(b)+[c]",
    expected: "allow",
  },
  {
    name: "the bucket ARN does not match objects",
    statements: [{ ...PUBLIC_READ, Resource: "arn:aws:s3:::media" }],
    expected: "none",
  },
  {
    name: "NotResource applies outside the pattern",
    statements: [{ ...PUBLIC_READ, Resource: undefined, NotResource: "arn:aws:s3:::media/secret/*" }],
    key: "open/x",
    expected: "allow",
  },
  {
    name: "NotResource excludes the pattern",
    statements: [{ ...PUBLIC_READ, Resource: undefined, NotResource: "arn:aws:s3:::media/secret/*" }],
    key: "secret/x",
    expected: "none",
  },
  {
    name: "Deny wins over Allow",
    statements: [PUBLIC_READ, DENY_PRIVATE],
    key: "private/x",
    expected: "deny",
  },
  {
    name: "Deny wins whatever the order",
    statements: [DENY_PRIVATE, PUBLIC_READ],
    key: "private/x",
    expected: "deny",
  },
  {
    name: "a Deny elsewhere leaves the Allow",
    statements: [DENY_PRIVATE, PUBLIC_READ],
    key: "public/x",
    expected: "allow",
  },
  {
    name: "Deny to * applies to the owner",
    statements: [DENY_PRIVATE],
    callerId: OWNER,
    key: "private/x",
    expected: "deny",
  },
  {
    name: "an account principal matches its caller",
    statements: [{ ...PUBLIC_READ, Principal: { AWS: callerArn(OWNER) } }],
    callerId: OWNER,
    expected: "allow",
  },
  {
    name: "a bare account id matches its caller",
    statements: [{ ...PUBLIC_READ, Principal: { AWS: [OWNER] } }],
    callerId: OWNER,
    expected: "allow",
  },
  {
    name: "an account principal does not match another caller",
    statements: [{ ...PUBLIC_READ, Principal: { AWS: callerArn(OWNER) } }],
    callerId: OTHER,
    expected: "none",
  },
  {
    name: "an account principal does not match anonymous",
    statements: [{ ...PUBLIC_READ, Principal: { AWS: callerArn(OWNER) } }],
    expected: "none",
  },
  {
    name: "AWS * matches anonymous",
    statements: [{ ...PUBLIC_READ, Principal: { AWS: "*" } }],
    expected: "allow",
  },
  {
    name: "NotPrincipal applies to callers not named",
    statements: [{ ...DENY_PRIVATE, Principal: undefined, NotPrincipal: { AWS: callerArn(OWNER) } }],
    key: "private/x",
    expected: "deny",
  },
  {
    name: "NotPrincipal spares the named caller",
    statements: [{ ...DENY_PRIVATE, Principal: undefined, NotPrincipal: { AWS: callerArn(OWNER) } }],
    callerId: OWNER,
    key: "private/x",
    expected: "none",
  },
  {
    name: "IpAddress 127.0.0.0/8 holds for 127.0.0.1",
    statements: [{ ...PUBLIC_READ, Condition: { IpAddress: { "aws:SourceIp": "127.0.0.0/8" } } }],
    expected: "allow",
  },
  {
    name: "IpAddress 10.0.0.0/8 fails for 127.0.0.1",
    statements: [{ ...PUBLIC_READ, Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }],
    expected: "none",
  },
  {
    name: "IpAddress fails without a source address",
    statements: [{ ...PUBLIC_READ, Condition: { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } } }],
    context: {},
    expected: "none",
  },
  {
    name: "Deny unless SecureTransport denies plain HTTP",
    statements: [PUBLIC_READ, {
      ...DENY_PRIVATE,
      Resource: "arn:aws:s3:::media/*",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    }],
    expected: "deny",
  },
  {
    name: "Allow only over TLS does not apply to plain HTTP",
    statements: [{ ...PUBLIC_READ, Condition: { Bool: { "aws:SecureTransport": true } } }],
    expected: "none",
  },
  {
    name: "condition key names compare case-insensitively",
    statements: [{ ...PUBLIC_READ, Condition: { StringLike: { "AWS:REFERER": "https://site.example/*" } } }],
    expected: "allow",
  },
  {
    name: "every condition must hold",
    statements: [{
      ...PUBLIC_READ,
      Condition: {
        StringLike: { "aws:Referer": "https://site.example/*" },
        StringEquals: { "aws:UserAgent": "curl" },
      },
    }],
    expected: "none",
  },
  {
    name: "s3:prefix limits a listing",
    statements: [{
      ...PUBLIC_READ,
      Action: "s3:ListBucket",
      Resource: "arn:aws:s3:::media",
      Condition: { StringEquals: { "s3:prefix": "pub/" } },
    }],
    action: "s3:ListBucket",
    key: undefined,
    context: { "s3:prefix": "pub/" },
    expected: "allow",
  },
  {
    name: "s3:prefix missing fails StringEquals",
    statements: [{
      ...PUBLIC_READ,
      Action: "s3:ListBucket",
      Resource: "arn:aws:s3:::media",
      Condition: { StringEquals: { "s3:prefix": "pub/" } },
    }],
    action: "s3:ListBucket",
    key: undefined,
    context: {},
    expected: "none",
  },
];

const DEFAULT_CONTEXT = {
  "aws:securetransport": "false",
  "aws:sourceip": "127.0.0.1",
  "aws:referer": "https://site.example/page",
  "aws:useragent": "Mozilla/5.0",
};

for (const c of CASES) {
  Deno.test(`evaluatePolicy() ${c.name}`, () => {
    const document = JSON.stringify({ Version: "2012-10-17", Statement: c.statements });
    const request: PolicyRequest = {
      callerId: c.callerId ?? null,
      action: c.action ?? "s3:GetObject",
      resource: resourceArn("media", "key" in c ? c.key : "index.html"),
      context: c.context ?? DEFAULT_CONTEXT,
    };
    assertEquals(evaluatePolicy(parseBucketPolicy(document, "media"), request), c.expected);
  });
}

Deno.test("resourceArn() names the bucket, or an object in it", () => {
  assertEquals([resourceArn("b"), resourceArn("b", "k/x")], ["arn:aws:s3:::b", "arn:aws:s3:::b/k/x"]);
});
