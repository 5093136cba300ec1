import { assert, assertEquals } from "../tests/support/asserts.ts";
import type { CorsRule } from "../storage/mod.ts";
import {
  corsResponseHeaders,
  corsRulesFromDocument,
  matchingCorsRule,
  renderCorsConfiguration,
  requestedHeaderNames,
  wildcardMatches,
} from "./cors.ts";
import { thrownS3Code } from "./s3_error_test_support.ts";
import { parseXml } from "./xml.ts";

const RULES: CorsRule[] = [
  {
    allowedOrigins: ["https://app.example.com"],
    allowedMethods: ["PUT", "POST"],
    allowedHeaders: ["content-type", "x-amz-*"],
    exposeHeaders: ["ETag"],
    maxAgeSeconds: 600,
  },
  {
    allowedOrigins: ["https://*.example.org"],
    allowedMethods: ["GET"],
    allowedHeaders: [],
    exposeHeaders: [],
  },
  { allowedOrigins: ["*"], allowedMethods: ["HEAD"], allowedHeaders: ["*"], exposeHeaders: [] },
];

Deno.test("wildcardMatches: one * stands for any run of characters", () => {
  const cases: Array<[string, string, boolean]> = [
    ["*", "anything", true],
    ["https://*.example.org", "https://cdn.example.org", true],
    ["https://*.example.org", "https://example.org", false],
    ["x-amz-*", "x-amz-date", true],
    ["x-amz-*", "x-am", false],
    ["exact", "exact", true],
    ["exact", "exactly", false],
  ];
  for (const [pattern, value, expected] of cases) {
    assertEquals(wildcardMatches(pattern, value), expected, pattern);
  }
});

Deno.test("matchingCorsRule: origin, method and every requested header must be allowed", () => {
  const app = "https://app.example.com";
  assertEquals(matchingCorsRule(RULES, app, "PUT", ["content-type", "x-amz-date"]), RULES[0]);
  assertEquals(matchingCorsRule(RULES, app, "PUT", ["authorization"]), null);
  assertEquals(matchingCorsRule(RULES, app, "GET"), null);
  assertEquals(matchingCorsRule(RULES, "https://cdn.example.org", "GET"), RULES[1]);
  assertEquals(matchingCorsRule(RULES, "https://evil.test", "HEAD", ["whatever"]), RULES[2]);
  assertEquals(matchingCorsRule(RULES, "https://evil.test", "PUT"), null);
  assertEquals(requestedHeaderNames(" Content-Type ,X-Amz-Date,, "), ["content-type", "x-amz-date"]);
});

Deno.test("corsResponseHeaders: echoed origin with credentials, or * for a rule open to all", () => {
  const specific = new Map(corsResponseHeaders(RULES[0], "https://app.example.com", ["content-type"]));
  assertEquals(specific.get("access-control-allow-origin"), "https://app.example.com");
  assertEquals(specific.get("access-control-allow-credentials"), "true");
  assertEquals(specific.get("access-control-allow-methods"), "PUT, POST");
  assertEquals(specific.get("access-control-allow-headers"), "content-type");
  assertEquals(specific.get("access-control-expose-headers"), "ETag");
  assertEquals(specific.get("access-control-max-age"), "600");
  const open = new Map(corsResponseHeaders(RULES[2], "https://evil.test"));
  assertEquals(open.get("access-control-allow-origin"), "*");
  assert(!open.has("access-control-allow-credentials"));
});

Deno.test("corsRulesFromDocument: round trip and validation", () => {
  const root = parseXml(renderCorsConfiguration(RULES), "CORSConfiguration");
  assertEquals(corsRulesFromDocument(root), RULES);
  const rule = (inner: string) =>
    parseXml(`<CORSConfiguration><CORSRule>${inner}</CORSRule></CORSConfiguration>`, "CORSConfiguration");
  const bad: Array<[Record<string, unknown>, string]> = [
    [parseXml("<CORSConfiguration></CORSConfiguration>", "CORSConfiguration"), "MalformedXML"],
    [rule("<AllowedMethod>GET</AllowedMethod>"), "MalformedXML"],
    [rule("<AllowedOrigin>*</AllowedOrigin>"), "MalformedXML"],
    [rule("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>"), "InvalidRequest"],
    [
      rule("<AllowedOrigin>https://*.*.x</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"),
      "InvalidRequest",
    ],
    [
      rule(
        "<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>-1</MaxAgeSeconds>",
      ),
      "MalformedXML",
    ],
  ];
  for (const [document, code] of bad) assertEquals(thrownS3Code(() => corsRulesFromDocument(document)), code);
  const many = `<CORSConfiguration>${
    "<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>".repeat(101)
  }</CORSConfiguration>`;
  assertEquals(
    thrownS3Code(() => corsRulesFromDocument(parseXml(many, "CORSConfiguration"))),
    "MalformedXML",
  );
});
