/**
 * Bucket CORS (cross-origin resource sharing) as S3 does it: the `<CORSConfiguration>` document of
 * PutBucketCors (validated: 1–100 rules, each with origins and methods, at most one `*` per origin or
 * header pattern, methods GET/PUT/POST/DELETE/HEAD), the rule that answers a preflight (`OPTIONS` with
 * `Origin` and `Access-Control-Request-Method`) or an actual cross-origin request, and the headers the
 * answer carries. Pure, table-tested.
 */
import type { CorsRule } from "../storage/mod.ts";
import { S3Error } from "./s3_errors.ts";
import { renderXml, S3_XMLNS } from "./xml.ts";

/** Most rules a CORS configuration may hold (S3's limit). */
export const MAX_CORS_RULES = 100;
const CORS_METHODS = new Set(["GET", "PUT", "POST", "DELETE", "HEAD"]);
const MAX_RULE_ID_CHARS = 255;

/** The rules of a parsed `<CORSConfiguration>` document root; MalformedXML / InvalidRequest when invalid. */
export function corsRulesFromDocument(root: Record<string, unknown>): CorsRule[] {
  const entries = root.CORSRule;
  const list = entries === undefined ? [] : Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) throw new S3Error("MalformedXML", "A CORSConfiguration needs at least one CORSRule");
  if (list.length > MAX_CORS_RULES) {
    throw new S3Error(
      "MalformedXML",
      `A CORSConfiguration holds at most ${MAX_CORS_RULES} rules, got ${list.length}`,
    );
  }
  return list.map((entry) => corsRule(entry));
}

function corsRule(entry: unknown): CorsRule {
  if (entry === null || typeof entry !== "object") {
    throw new S3Error("MalformedXML", "A CORSRule must be an element");
  }
  const fields = entry as Record<string, unknown>;
  const allowedOrigins = textList(fields.AllowedOrigin, "AllowedOrigin");
  const allowedMethods = textList(fields.AllowedMethod, "AllowedMethod");
  const allowedHeaders = textList(fields.AllowedHeader, "AllowedHeader");
  const exposeHeaders = textList(fields.ExposeHeader, "ExposeHeader");
  if (allowedOrigins.length === 0 || allowedMethods.length === 0) {
    throw new S3Error(
      "MalformedXML",
      "Every CORSRule needs at least one AllowedOrigin and one AllowedMethod",
    );
  }
  for (const method of allowedMethods) {
    if (!CORS_METHODS.has(method)) {
      throw new S3Error(
        "InvalidRequest",
        `Found unsupported HTTP method in CORS config. Unsupported method is ${method}`,
      );
    }
  }
  for (const origin of allowedOrigins) {
    if (origin.split("*").length > 2) {
      throw new S3Error("InvalidRequest", `AllowedOrigin "${origin}" can not have more than one wildcard.`);
    }
  }
  for (const header of allowedHeaders) {
    if (header.split("*").length > 2) {
      throw new S3Error("InvalidRequest", `AllowedHeader "${header}" can not have more than one wildcard.`);
    }
  }
  const rule: CorsRule = { allowedOrigins, allowedMethods, allowedHeaders, exposeHeaders };
  const id = fields.ID;
  if (id !== undefined) {
    if (typeof id !== "string" || id.length > MAX_RULE_ID_CHARS) {
      throw new S3Error("MalformedXML", `A CORSRule ID is text of at most ${MAX_RULE_ID_CHARS} characters`);
    }
    rule.id = id;
  }
  const maxAge = fields.MaxAgeSeconds;
  if (maxAge !== undefined) {
    if (typeof maxAge !== "string" || !/^\d{1,9}$/.test(maxAge.trim())) {
      throw new S3Error("MalformedXML", "MaxAgeSeconds must be a non-negative integer");
    }
    rule.maxAgeSeconds = Number(maxAge.trim());
  }
  return rule;
}

function textList(value: unknown, name: string): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.map((item) => {
    if (typeof item !== "string" || item === "") {
      throw new S3Error("MalformedXML", `${name} must be non-empty text`);
    }
    return item;
  });
}

/** The `<CORSConfiguration>` document GetBucketCors answers. */
export function renderCorsConfiguration(rules: readonly CorsRule[]): string {
  return renderXml("CORSConfiguration", {
    "@_xmlns": S3_XMLNS,
    CORSRule: rules.map((rule) => ({
      ID: rule.id,
      AllowedHeader: rule.allowedHeaders,
      AllowedMethod: rule.allowedMethods,
      AllowedOrigin: rule.allowedOrigins,
      ExposeHeader: rule.exposeHeaders,
      MaxAgeSeconds: rule.maxAgeSeconds,
    })),
  });
}

/** Whether `value` matches `pattern`, where one `*` stands for any run of characters. */
export function wildcardMatches(pattern: string, value: string): boolean {
  const star = pattern.indexOf("*");
  if (star === -1) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

/**
 * The first rule that allows `origin` to send `method` with `requestHeaders` (lower-case names), as S3
 * picks it; null when none does. Origins compare exactly (with wildcards), header names without case.
 */
export function matchingCorsRule(
  rules: readonly CorsRule[],
  origin: string,
  method: string,
  requestHeaders: readonly string[] = [],
): CorsRule | null {
  for (const rule of rules) {
    if (!rule.allowedMethods.includes(method)) continue;
    if (!rule.allowedOrigins.some((pattern) => wildcardMatches(pattern, origin))) continue;
    const headerPatterns = rule.allowedHeaders.map((pattern) => pattern.toLowerCase());
    if (!requestHeaders.every((name) => headerPatterns.some((pattern) => wildcardMatches(pattern, name)))) {
      continue;
    }
    return rule;
  }
  return null;
}

/** The names of an `Access-Control-Request-Headers` value, lower-case, without empties. */
export function requestedHeaderNames(value: string | null): string[] {
  if (value === null) return [];
  return value.split(",").map((name) => name.trim().toLowerCase()).filter((name) => name !== "");
}

/**
 * The CORS response headers for `origin` under `rule`: the allowed origin (`*` when the rule allows
 * every origin, else the origin itself with credentials allowed), the rule's methods, exposed headers
 * and max age; `requestHeaders` (a preflight's) are echoed as allowed.
 */
export function corsResponseHeaders(
  rule: CorsRule,
  origin: string,
  requestHeaders: readonly string[] = [],
): Array<[string, string]> {
  const anyOrigin = rule.allowedOrigins.includes("*");
  const headers: Array<[string, string]> = [
    ["access-control-allow-origin", anyOrigin ? "*" : origin],
    ["access-control-allow-methods", rule.allowedMethods.join(", ")],
  ];
  if (!anyOrigin) headers.push(["access-control-allow-credentials", "true"]);
  if (requestHeaders.length > 0) headers.push(["access-control-allow-headers", requestHeaders.join(", ")]);
  if (rule.exposeHeaders.length > 0) {
    headers.push(["access-control-expose-headers", rule.exposeHeaders.join(", ")]);
  }
  if (rule.maxAgeSeconds !== undefined) headers.push(["access-control-max-age", String(rule.maxAgeSeconds)]);
  return headers;
}
