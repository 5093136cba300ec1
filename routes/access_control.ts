/**
 * Who may do what: bucket policies first, then canned ACLs. A policy statement that denies the action
 * refuses it to everyone, the owner included; one that allows it grants it to everyone it names,
 * anonymous callers included; when the policy has no opinion (or there is none), ownership and
 * canned ACLs decide: the bucket owner may do everything; a bucket ACL of `public-read` lets anyone
 * list it, `public-read-write` also lets anyone write and delete objects, `authenticated-read` lets
 * any signed-in user list it; an object ACL of `public-read` (or `authenticated-read` for signed-in
 * users) lets them read that object.
 *
 * Get/Put/DeleteBucketPolicy never consult the policy: they stay the owner's, so an owner cannot lock
 * themselves out with a Deny. A request naming a `versionId` is checked as AWS's version action
 * (`s3:GetObjectVersion`, `s3:PutObjectVersionTagging`, ...: see `objectAction`). GetObjectAttributes
 * needs two actions, each allowed by the policy or left to owner and ACL: `s3:GetObject` and
 * `s3:GetObjectAttributes` (`s3:GetObjectVersion` and `s3:GetObjectVersionAttributes` for a named
 * version), as AWS documents (`objectReadPolicy` then `checkObjectRead` once per action). The request
 * context a policy sees: `aws:SecureTransport` is "true" when the gateway serves HTTPS (a TLS certificate is
 * configured), else "false"; `aws:SourceIp` is the peer of the TCP connection (a proxy in front hides the
 * client), `aws:UserAgent` and `aws:Referer` come from the headers, `s3:prefix`, `s3:delimiter` and
 * `s3:max-keys` from a ListBucket query when present.
 */
import type { BucketPolicyRecord, BucketRecord, CannedAcl, ObjectHead } from "../storage/mod.ts";
import { evaluatePolicy, type PolicyDecision, resourceArn } from "./policy/mod.ts";
import type { RequestContext, S3Owner } from "./request_context.ts";
import { S3Error } from "./s3_errors.ts";

/** What a bucket-level request needs from ownership and ACLs when the policy has no opinion. */
export type BucketPermission = "owner" | "list" | "write";

/** Actions a bucket policy never governs (the owner's alone). */
const POLICY_MANAGEMENT: ReadonlySet<string> = new Set([
  "s3:GetBucketPolicy",
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
]);

/** The action AWS checks instead of an object action when the request names a version. */
const VERSION_ACTIONS = {
  "s3:GetObject": "s3:GetObjectVersion",
  "s3:DeleteObject": "s3:DeleteObjectVersion",
  "s3:GetObjectAcl": "s3:GetObjectVersionAcl",
  "s3:PutObjectAcl": "s3:PutObjectVersionAcl",
  "s3:GetObjectTagging": "s3:GetObjectVersionTagging",
  "s3:PutObjectTagging": "s3:PutObjectVersionTagging",
  "s3:DeleteObjectTagging": "s3:DeleteObjectVersionTagging",
  "s3:GetObjectAttributes": "s3:GetObjectVersionAttributes",
} as const;

/** An object action that has a version form. */
export type VersionedAction = keyof typeof VERSION_ACTIONS;

/** ListBucket query parameters a policy can test as `s3:NAME`. */
const LIST_CONDITION_PARAMS = ["prefix", "delimiter", "max-keys"] as const;

/**
 * The policy action of object action `action` for a request naming `versionId` (null or undefined: none):
 * its version form (`s3:GetObject` becomes `s3:GetObjectVersion`), as AWS checks it.
 */
export function objectAction(action: VersionedAction, versionId: string | null | undefined): string {
  return versionId === null || versionId === undefined ? action : VERSION_ACTIONS[action];
}

/**
 * The bucket, if the caller may do S3 `action` on it (on object `key` when given): the bucket policy
 * decides first, then `permission` by ownership and ACLs; AccessDenied otherwise.
 */
export function authorizeBucket(
  ctx: RequestContext,
  name: string,
  permission: BucketPermission,
  action: string,
  key?: string,
): BucketRecord | Promise<BucketRecord> {
  // Synchronous when the bucket and its policy are cached (the common case): no promise per request.
  const found = ctx.services.buckets.get(name);
  const check = (bucket: BucketRecord) => {
    const permits = bucketPermits(ctx, bucket, permission, action, key);
    const verdict = (allowed: boolean) => {
      if (!allowed) throw accessDenied();
      return bucket;
    };
    return permits instanceof Promise ? permits.then(verdict) : verdict(permits);
  };
  return found instanceof Promise ? found.then(check) : check(found);
}

/** True when the policy allows `action`, or has no opinion and `permission` is granted by owner/ACL. */
export function bucketPermits(
  ctx: RequestContext,
  bucket: BucketRecord,
  permission: BucketPermission,
  action: string,
  key?: string,
): boolean | Promise<boolean> {
  const decision = policyDecision(ctx, bucket, action, key);
  const permits = (d: PolicyDecision) =>
    d === "allow" || (d === "none" && bucketAllows(bucket, ctx.owner, permission));
  return decision instanceof Promise ? decision.then(permits) : permits(decision);
}

/**
 * The first half of a read check, before the object's head is looked up: the policy's decision on
 * `action` (`s3:GetObject`, or `s3:GetObjectVersion` for a named version) of `key` (an explicit Deny
 * refuses at once, even for a key that does not exist). Pass the decision to `checkObjectRead` with the
 * head, so the policy is evaluated once per request.
 */
export function objectReadPolicy(
  ctx: RequestContext,
  bucket: BucketRecord,
  key: string,
  action = "s3:GetObject",
): PolicyDecision | Promise<PolicyDecision> {
  const decision = policyDecision(ctx, bucket, action, key);
  const refuseDeny = (d: PolicyDecision) => {
    if (d === "deny") throw accessDenied();
    return d;
  };
  return decision instanceof Promise ? decision.then(refuseDeny) : refuseDeny(decision);
}

/** Throws AccessDenied unless `decision` (from `objectReadPolicy`) or owner/ACL lets the caller read `head`. */
export function checkObjectRead(
  ctx: RequestContext,
  bucket: BucketRecord,
  head: ObjectHead,
  decision: PolicyDecision,
): void {
  if (decision === "allow") return;
  if (decision === "none" && (isOwner(bucket, ctx.owner) || aclGrantsRead(head.acl, ctx.owner))) return;
  throw accessDenied();
}

/** The authenticated caller; AccessDenied for anonymous requests. */
export function requireCaller(ctx: RequestContext): S3Owner {
  if (ctx.owner === null) throw accessDenied();
  return ctx.owner;
}

/** True when `permission` on `bucket` is granted to `caller` (null: anonymous) by ownership or ACL. */
export function bucketAllows(
  bucket: BucketRecord,
  caller: S3Owner | null,
  permission: BucketPermission,
): boolean {
  if (isOwner(bucket, caller)) return true;
  switch (permission) {
    case "owner":
      return false;
    case "list":
      return aclGrantsRead(bucket.acl, caller);
    case "write":
      return bucket.acl === "public-read-write";
  }
}

/** What the bucket's policy says of `action` on the bucket (or on `key`); "none" without a policy. */
function policyDecision(
  ctx: RequestContext,
  bucket: BucketRecord,
  action: string,
  key: string | undefined,
): PolicyDecision | Promise<PolicyDecision> {
  if (POLICY_MANAGEMENT.has(action)) return "none";
  // The policy is usually cached: decide synchronously then, and only wait for a metadata read.
  const found = ctx.services.buckets.getPolicy(bucket.name);
  const decide = (record: BucketPolicyRecord | null): PolicyDecision =>
    record === null ? "none" : evaluatePolicy(ctx.policies.compiled(bucket.name, record), {
      callerId: ctx.owner?.id ?? null,
      action,
      resource: resourceArn(bucket.name, key),
      context: conditionContext(ctx, action),
    });
  return found instanceof Promise ? found.then(decide) : decide(found);
}

function conditionContext(ctx: RequestContext, action: string): Record<string, string | undefined> {
  const headers = ctx.request.headers;
  const context: Record<string, string | undefined> = {
    "aws:securetransport": ctx.services.secureTransport ? "true" : "false",
    "aws:sourceip": ctx.sourceIp ?? undefined,
    "aws:useragent": headers.get("user-agent") ?? undefined,
    "aws:referer": headers.get("referer") ?? undefined,
  };
  if (action === "s3:ListBucket") {
    for (const name of LIST_CONDITION_PARAMS) context[`s3:${name}`] = ctx.params.get(name) ?? undefined;
  }
  return context;
}

function aclGrantsRead(acl: CannedAcl, caller: S3Owner | null): boolean {
  return acl === "public-read" || acl === "public-read-write" ||
    (acl === "authenticated-read" && caller !== null);
}

function isOwner(bucket: BucketRecord, caller: S3Owner | null): boolean {
  return caller !== null && caller.id === bucket.ownerId;
}

function accessDenied(): S3Error {
  return new S3Error("AccessDenied", "Access Denied");
}
