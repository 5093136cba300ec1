/**
 * Evaluates a compiled bucket policy for one request. Pure. As in IAM: a matching `Deny` statement
 * wins, else a matching `Allow` grants, else the policy has no opinion ("none") and the caller falls
 * back to ownership and ACLs.
 *
 * Identity: an anonymous caller is matched only by `"*"`; an authenticated caller (the gateway's users
 * are account roots) is matched by `"*"`, by `arn:aws:iam::OWNER-ID:root` and by the bare `OWNER-ID`,
 * where OWNER-ID is the caller's canonical id as GetBucketAcl reports it.
 */
import type { BucketPolicy, PatternSet, PolicyStatement, PrincipalSet } from "./policy_document.ts";

/** The outcome of evaluating a policy. */
export type PolicyDecision = "allow" | "deny" | "none";

/** What a request asks for, as the policy sees it. */
export interface PolicyRequest {
  /** The caller's owner id, or null when the request is anonymous. */
  readonly callerId: string | null;
  /** The S3 action, e.g. `s3:GetObject`. */
  readonly action: string;
  /** The resource ARN: `arn:aws:s3:::BUCKET` or `arn:aws:s3:::BUCKET/KEY`. */
  readonly resource: string;
  /** Condition keys (lower case) present in the request, with their values. */
  readonly context: Readonly<Record<string, string | undefined>>;
}

/** The IAM identity of an authenticated caller, as a policy names it. */
export function callerArn(callerId: string): string {
  return `arn:aws:iam::${callerId}:root`;
}

/** The ARN of a bucket, or of an object when `key` is given. */
export function resourceArn(bucket: string, key?: string): string {
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}

/** Evaluates `policy` for `request`: explicit deny over allow over no decision. */
export function evaluatePolicy(policy: BucketPolicy, request: PolicyRequest): PolicyDecision {
  let allowed = false;
  for (const statement of policy.statements) {
    if (!statementApplies(statement, request)) continue;
    if (statement.effect === "Deny") return "deny";
    allowed = true;
  }
  return allowed ? "allow" : "none";
}

/** True when every element of `statement` (principal, action, resource, conditions) matches. */
export function statementApplies(statement: PolicyStatement, request: PolicyRequest): boolean {
  return principalMatches(statement.principals, request.callerId) &&
    patternsMatch(statement.actions, request.action) &&
    patternsMatch(statement.resources, request.resource) &&
    statement.conditions.every((condition) => condition.test(request.context[condition.key]));
}

function principalMatches(principals: PrincipalSet, callerId: string | null): boolean {
  const named = principals.anyone ||
    (callerId !== null &&
      (principals.identities.has(callerArn(callerId)) || principals.identities.has(callerId)));
  return named !== principals.negated;
}

function patternsMatch(set: PatternSet, value: string): boolean {
  return set.patterns.some((pattern) => pattern.test(value)) !== set.negated;
}
