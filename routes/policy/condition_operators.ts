/**
 * The policy condition operators we support, each compiled once (when the policy is stored or first
 * read) into a test of one request-context value. Semantics follow IAM: the values listed for one key
 * are alternatives (any may match); a key missing from the request makes a positive operator false and
 * a negated one (`StringNotEquals`, `StringNotLike`, `NotIpAddress`) true.
 */
import { ipRangeContains, parseIpAddress, parseIpRange } from "./ip_range.ts";
import { compileWildcard } from "./wildcard_pattern.ts";

/** Every supported condition operator. */
export const CONDITION_OPERATORS = [
  "StringEquals",
  "StringNotEquals",
  "StringLike",
  "StringNotLike",
  "IpAddress",
  "NotIpAddress",
  "Bool",
] as const;

/** One supported condition operator. */
export type ConditionOperator = typeof CONDITION_OPERATORS[number];

/** A compiled condition: true when the request-context value (undefined: key absent) satisfies it. */
export type ConditionTest = (actual: string | undefined) => boolean;

/** True when `name` is a supported operator (case-sensitive, as in IAM). */
export function isConditionOperator(name: string): name is ConditionOperator {
  return (CONDITION_OPERATORS as readonly string[]).includes(name);
}

/** Compiles `operator` over `values`; throws an Error naming the bad value when one is malformed. */
export function compileCondition(operator: ConditionOperator, values: readonly string[]): ConditionTest {
  switch (operator) {
    case "StringEquals":
      return (actual) => actual !== undefined && values.includes(actual);
    case "StringNotEquals":
      return (actual) => actual === undefined || !values.includes(actual);
    case "StringLike": {
      const patterns = values.map((value) => compileWildcard(value, false));
      return (actual) => actual !== undefined && patterns.some((pattern) => pattern.test(actual));
    }
    case "StringNotLike": {
      const patterns = values.map((value) => compileWildcard(value, false));
      return (actual) => actual === undefined || !patterns.some((pattern) => pattern.test(actual));
    }
    case "IpAddress":
    case "NotIpAddress": {
      const ranges = values.map((value) => {
        const range = parseIpRange(value);
        if (range === null) {
          throw new Error(`${operator} expects an IP address or CIDR range, got "${value}"`);
        }
        return range;
      });
      const inRange = (actual: string | undefined): boolean | undefined => {
        if (actual === undefined) return undefined;
        const address = parseIpAddress(actual);
        return address !== null && ranges.some((range) => ipRangeContains(range, address));
      };
      return operator === "IpAddress"
        ? (actual) => inRange(actual) === true
        : (actual) => inRange(actual) !== true;
    }
    case "Bool": {
      const wanted: string[] = values.map((value) => {
        const lower = value.toLowerCase();
        if (lower !== "true" && lower !== "false") {
          throw new Error(`Bool expects "true" or "false", got "${value}"`);
        }
        return lower;
      });
      return (actual) => actual !== undefined && wanted.includes(actual.toLowerCase());
    }
  }
}
