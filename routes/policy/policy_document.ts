/**
 * Parses and validates a bucket policy (the JSON of PutBucketPolicy) into a compiled form the
 * evaluator runs without further parsing. Pure. Every problem is `MalformedPolicy` with a message that
 * names the field, what was expected and what came instead. The supported subset is listed in
 * docs/api-reference.md.
 */
import { z } from "zod";
import { S3Error } from "../s3_errors.ts";
import { compileCondition, type ConditionTest, isConditionOperator } from "./condition_operators.ts";
import { compileWildcard } from "./wildcard_pattern.ts";

/** Largest policy document S3 accepts. */
export const MAX_POLICY_BYTES = 20 * 1024;

/** Condition keys a policy may test (lower case: IAM compares key names case-insensitively). */
export const CONDITION_KEYS: ReadonlySet<string> = new Set([
  "aws:securetransport",
  "aws:sourceip",
  "aws:useragent",
  "aws:referer",
  "s3:prefix",
  "s3:delimiter",
  "s3:max-keys",
]);

/** Principals a statement names: anyone (`*`) or identities such as `arn:aws:iam::ID:root`. */
export interface PrincipalSet {
  /** True for a `NotPrincipal` element: the statement applies to everyone NOT named. */
  readonly negated: boolean;
  readonly anyone: boolean;
  readonly identities: ReadonlySet<string>;
}

/** Compiled `Action`/`NotAction` or `Resource`/`NotResource` patterns. */
export interface PatternSet {
  /** True for the `Not…` form: the statement applies to everything no pattern matches. */
  readonly negated: boolean;
  readonly patterns: readonly RegExp[];
}

/** One compiled condition: a context key (lower case) and its test; all must hold. */
export interface CompiledCondition {
  readonly key: string;
  readonly test: ConditionTest;
}

/** One compiled statement. */
export interface PolicyStatement {
  readonly sid: string | null;
  readonly effect: "Allow" | "Deny";
  readonly principals: PrincipalSet;
  readonly actions: PatternSet;
  readonly resources: PatternSet;
  readonly conditions: readonly CompiledCondition[];
}

/** A validated, compiled bucket policy. */
export interface BucketPolicy {
  readonly version: "2012-10-17" | "2008-10-17";
  readonly statements: readonly PolicyStatement[];
}

const stringList = z.union([z.string(), z.array(z.string()).min(1)], {
  error: "expected a string or a non-empty array of strings",
});
const principal = z.union([z.literal("*"), z.strictObject({ AWS: stringList })], {
  error: 'expected "*" or {"AWS": "*" | ARN | [ARN, ...]}',
});
const conditionScalar = z.union([z.string(), z.boolean(), z.number()]);
const conditionValues = z.union([conditionScalar, z.array(conditionScalar).min(1)], {
  error: "expected a string, boolean, number or a non-empty array of them",
});
const statementSchema = z.strictObject({
  Sid: z.string().optional(),
  Effect: z.enum(["Allow", "Deny"], { error: 'expected "Allow" or "Deny"' }),
  Principal: principal.optional(),
  NotPrincipal: principal.optional(),
  Action: stringList.optional(),
  NotAction: stringList.optional(),
  Resource: stringList.optional(),
  NotResource: stringList.optional(),
  Condition: z.record(z.string(), z.record(z.string(), conditionValues)).optional(),
});
const documentSchema = z.strictObject({
  Version: z.enum(["2012-10-17", "2008-10-17"], { error: 'expected "2012-10-17" or "2008-10-17"' })
    .optional(),
  Id: z.string().optional(),
  // Statements are checked one by one below, so an error names the statement and its field.
  Statement: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown()).min(1)], {
    error: "expected a statement object or a non-empty array of statements",
  }),
});
type RawStatement = z.infer<typeof statementSchema>;

/** Parses `text` as the policy of `bucket`; throws `MalformedPolicy` naming the first problem found. */
export function parseBucketPolicy(text: string, bucket: string): BucketPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw malformed(`Policies must be valid JSON: ${(error as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw malformed("Policies must be a JSON object");
  }
  const parsed = checked(documentSchema, json, []);
  const version = parsed.Version ?? "2008-10-17";
  const raw = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  const statements = raw.map((statement, index) => {
    const path = raw === parsed.Statement ? ["Statement", index] : ["Statement"];
    return compileStatement(checked(statementSchema, statement, path), path.join("."), bucket, version);
  });
  return { version, statements };
}

/** `value` parsed by `schema`; MalformedPolicy naming the path (under `path`) of the first issue. */
function checked<T>(schema: z.ZodType<T>, value: unknown, path: readonly (string | number)[]): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = [...path, ...issue.path.map(String)].join(".");
  throw malformed(`${where === "" ? "Policy" : where}: ${issue.message}`);
}

function compileStatement(
  raw: RawStatement,
  where: string,
  bucket: string,
  version: BucketPolicy["version"],
): PolicyStatement {
  const principalElement = exactlyOne(raw, "Principal", "NotPrincipal", where);
  const actionElement = exactlyOne(raw, "Action", "NotAction", where);
  const resourceElement = exactlyOne(raw, "Resource", "NotResource", where);
  const actions = listOf(raw[actionElement]!).map((action) => {
    if (action !== "*" && !/^s3:[A-Za-z*?]+$/i.test(action)) {
      throw malformed(
        `${where}.${actionElement}: expected "*" or an s3: action such as s3:GetObject, got "${action}"`,
      );
    }
    return compileWildcard(action, true);
  });
  const resources = listOf(raw[resourceElement]!).map((resource) => {
    checkResource(resource, bucket, `${where}.${resourceElement}`, version);
    return compileWildcard(resource, false);
  });
  return {
    sid: raw.Sid ?? null,
    effect: raw.Effect,
    principals: principalSet(raw[principalElement]!, principalElement === "NotPrincipal"),
    actions: { negated: actionElement === "NotAction", patterns: actions },
    resources: { negated: resourceElement === "NotResource", patterns: resources },
    conditions: compileConditions(raw.Condition ?? {}, `${where}.Condition`),
  };
}

function checkResource(resource: string, bucket: string, where: string, version: string): void {
  const prefix = "arn:aws:s3:::";
  const rest = resource.startsWith(prefix) ? resource.slice(prefix.length) : null;
  const slash = rest?.indexOf("/") ?? -1;
  const named = rest === null ? null : slash === -1 ? rest : rest.slice(0, slash);
  if (named !== bucket) {
    throw malformed(
      `${where}: expected arn:aws:s3:::${bucket} or arn:aws:s3:::${bucket}/KEY-PATTERN (a resource of this bucket), got "${resource}"`,
    );
  }
  if (version === "2012-10-17" && resource.includes("${")) {
    throw malformed(`${where}: policy variables are not supported, got "${resource}"`);
  }
}

function principalSet(value: NonNullable<RawStatement["Principal"]>, negated: boolean): PrincipalSet {
  const names = value === "*" ? ["*"] : listOf(value.AWS);
  return { negated, anyone: names.includes("*"), identities: new Set(names.filter((name) => name !== "*")) };
}

function compileConditions(raw: NonNullable<RawStatement["Condition"]>, where: string): CompiledCondition[] {
  const compiled: CompiledCondition[] = [];
  for (const [operator, entries] of Object.entries(raw)) {
    if (!isConditionOperator(operator)) {
      throw malformed(
        `${where}: unsupported condition operator "${operator}" (supported: StringEquals, StringNotEquals, ` +
          "StringLike, StringNotLike, IpAddress, NotIpAddress, Bool)",
      );
    }
    for (const [key, values] of Object.entries(entries)) {
      const lowerKey = key.toLowerCase();
      if (!CONDITION_KEYS.has(lowerKey)) {
        throw malformed(`${where}.${operator}: unsupported condition key "${key}"`);
      }
      const strings = (Array.isArray(values) ? values : [values]).map(String);
      try {
        compiled.push({ key: lowerKey, test: compileCondition(operator, strings) });
      } catch (error) {
        throw malformed(`${where}.${operator}.${key}: ${(error as Error).message}`);
      }
    }
  }
  return compiled;
}

function exactlyOne<K extends keyof RawStatement>(raw: RawStatement, plain: K, negated: K, where: string): K {
  const hasPlain = raw[plain] !== undefined;
  if (hasPlain === (raw[negated] !== undefined)) {
    throw malformed(
      `${where}: expected exactly one of ${plain} and ${negated}, got ${hasPlain ? "both" : "neither"}`,
    );
  }
  return hasPlain ? plain : negated;
}

function listOf(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

function malformed(message: string): S3Error {
  return new S3Error("MalformedPolicy", message);
}
