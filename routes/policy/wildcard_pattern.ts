/**
 * IAM-style wildcards: `*` matches any run of characters (slashes included), `?` exactly one
 * character. Compiled once to an anchored regular expression when a policy is parsed.
 */

/** Characters with a meaning in a regular expression (the only ones that may be escaped under `u`). */
const REGEXP_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;

/** Compiles `pattern` to an anchored RegExp; action names compare case-insensitively, ARNs exactly. */
export function compileWildcard(pattern: string, caseInsensitive: boolean): RegExp {
  let source = "";
  for (const char of pattern) {
    if (char === "*") source += ".*";
    else if (char === "?") source += ".";
    else source += char.replace(REGEXP_SYNTAX, "\\$&");
  }
  return new RegExp(`^${source}$`, caseInsensitive ? "sui" : "su");
}
