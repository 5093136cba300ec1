/**
 * The policy document of a browser form upload (POST Object): base64 JSON with an `expiration` and
 * `conditions` (exact matches `{"field": "value"}`, `["eq", "$field", "value"]`, `["starts-with",
 * "$field", "prefix"]`, `["content-length-range", min, max]`). Every condition must hold for the form, and
 * every form field must be named by a condition, as S3 requires. Pure, table-tested.
 */
import { z } from "zod";
import { S3Error } from "./s3_errors.ts";

/** One condition of a POST policy, on a lower-case field name (`bucket` included). */
export type PostCondition =
  | { readonly kind: "eq"; readonly field: string; readonly value: string }
  | { readonly kind: "starts-with"; readonly field: string; readonly prefix: string }
  | { readonly kind: "content-length-range"; readonly min: number; readonly max: number };

/** A parsed POST policy. */
export interface PostPolicy {
  readonly expirationMs: number;
  readonly conditions: readonly PostCondition[];
}

/** Form fields no condition needs to name. */
const UNCONDITIONED_FIELDS = new Set(["policy", "x-amz-signature", "file"]);

const documentSchema = z.object({
  expiration: z.string(),
  conditions: z.array(z.unknown()),
});

function invalidPolicy(problem: string): S3Error {
  return new S3Error("InvalidPolicyDocument", `Invalid Policy: ${problem}`);
}

/** The policy of the base64 `policy` form field; `InvalidPolicyDocument` (400) when it is not one. */
export function parsePostPolicy(base64: string): PostPolicy {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(fromBase64Strict(base64)));
  } catch {
    throw invalidPolicy("the policy is not base64-encoded JSON.");
  }
  const parsed = documentSchema.safeParse(json);
  if (!parsed.success) throw invalidPolicy("a policy needs an expiration string and a conditions array.");
  const expirationMs = Date.parse(parsed.data.expiration);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(parsed.data.expiration) || !Number.isFinite(expirationMs)) {
    throw invalidPolicy(`Invalid 'expiration' value: '${parsed.data.expiration}'`);
  }
  return { expirationMs, conditions: parsed.data.conditions.map(condition) };
}

function fromBase64Strict(text: string): Uint8Array {
  const binary = atob(text.trim());
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function condition(raw: unknown): PostCondition {
  if (Array.isArray(raw)) {
    const [operator, ...args] = raw;
    const name = typeof operator === "string" ? operator.toLowerCase() : "";
    if (name === "content-length-range") {
      const [min, max] = args;
      if (args.length !== 2 || !isByteCount(min) || !isByteCount(max) || min > max) {
        throw invalidPolicy("content-length-range needs two byte counts, the smaller first.");
      }
      return { kind: "content-length-range", min, max };
    }
    if ((name === "eq" || name === "starts-with") && args.length === 2) {
      const [field, value] = args;
      if (typeof field !== "string" || !field.startsWith("$") || typeof value !== "string") {
        throw invalidPolicy(`the ${name} condition needs a "$field" and a string.`);
      }
      const fieldName = field.slice(1).toLowerCase();
      return name === "eq"
        ? { kind: "eq", field: fieldName, value }
        : { kind: "starts-with", field: fieldName, prefix: value };
    }
    throw invalidPolicy(`Unknown or malformed condition ${JSON.stringify(raw).slice(0, 100)}.`);
  }
  if (raw !== null && typeof raw === "object" && Object.keys(raw).length === 1) {
    const [[field, value]] = Object.entries(raw);
    if (typeof value === "string") return { kind: "eq", field: field.toLowerCase(), value };
  }
  throw invalidPolicy(`Unknown or malformed condition ${JSON.stringify(raw).slice(0, 100)}.`);
}

function isByteCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function policyFailed(detail: string): S3Error {
  return new S3Error("AccessDenied", `Invalid according to Policy: ${detail}`);
}

/**
 * Throws unless `policy` allows this form: not expired at `nowMs`, every condition true of `fields`
 * (lower-case names; `bucket` is the target bucket, `key` the key after `${filename}`), the file size in
 * every `content-length-range` (`EntityTooLarge` / `EntityTooSmall`), and no field left unnamed.
 */
export function checkPostPolicy(
  policy: PostPolicy,
  fields: ReadonlyMap<string, string>,
  fileSizeBytes: number,
  nowMs: number,
): void {
  if (nowMs > policy.expirationMs) throw policyFailed("Policy expired.");
  const named = new Set<string>();
  for (const rule of policy.conditions) {
    if (rule.kind === "content-length-range") {
      if (fileSizeBytes > rule.max) {
        throw new S3Error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", {
          ProposedSize: String(fileSizeBytes),
          MaxSizeAllowed: String(rule.max),
        });
      }
      if (fileSizeBytes < rule.min) {
        throw new S3Error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", {
          ProposedSize: String(fileSizeBytes),
          MinSizeAllowed: String(rule.min),
        });
      }
      continue;
    }
    named.add(rule.field);
    const value = fields.get(rule.field) ?? "";
    const holds = rule.kind === "eq" ? value === rule.value : startsWithEach(value, rule.prefix, rule.field);
    if (!holds) {
      const shown = rule.kind === "eq"
        ? `["eq", "$${rule.field}", "${rule.value}"]`
        : `["starts-with", "$${rule.field}", "${rule.prefix}"]`;
      throw policyFailed(`Policy Condition failed: ${shown}`);
    }
  }
  const extra = [...fields.keys()].filter((name) =>
    !named.has(name) && !UNCONDITIONED_FIELDS.has(name) && !name.startsWith("x-ignore-") && name !== "bucket"
  );
  if (extra.length > 0) throw policyFailed(`Extra input fields: ${extra.join(", ")}`);
}

/** `starts-with`; on Content-Type a comma-separated list, each member of which must start with it. */
function startsWithEach(value: string, prefix: string, field: string): boolean {
  if (field !== "content-type") return value.startsWith(prefix);
  return value.split(",").every((member) => member.trim().startsWith(prefix));
}
