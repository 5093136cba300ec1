/**
 * Conditional requests (RFC 9110 §13): `If-Match`, `If-Unmodified-Since`, `If-None-Match`,
 * `If-Modified-Since` evaluated in the order of §13.2.2, and `If-Range`. Pure: the handler evaluates
 * these against the object head before it opens any byte, so a failed precondition never reads data.
 */

/** What a request's preconditions are compared against: the object's current validators. */
export interface Validators {
  /** The ETag without quotes (our ETags are always strong). */
  readonly etag: string;
  readonly lastModifiedMs: number;
}

/** The outcome of the preconditions of a request. */
export type PreconditionOutcome =
  | { readonly kind: "proceed" }
  | { readonly kind: "not-modified" }
  /** `condition` names the header that failed, as S3's `<Condition>` element does. */
  | { readonly kind: "failed"; readonly condition: "If-Match" | "If-Unmodified-Since" | "If-None-Match" };

/** One member of an entity-tag list. */
interface EntityTag {
  readonly weak: boolean;
  readonly opaque: string;
}

const PROCEED: PreconditionOutcome = { kind: "proceed" };

/**
 * Evaluates the preconditions of a `method` request with `headers` against `validators`, in the order
 * of RFC 9110 §13.2.2: If-Match, else If-Unmodified-Since; then If-None-Match, else (GET and HEAD
 * only) If-Modified-Since. This order gives S3's documented outcomes: If-Match true with
 * If-Unmodified-Since false proceeds; If-None-Match false with If-Modified-Since true is 304.
 */
export function evaluatePreconditions(
  method: string,
  headers: Headers,
  validators: Validators,
): PreconditionOutcome {
  const safe = method === "GET" || method === "HEAD";
  const ifMatch = headers.get("if-match");
  if (ifMatch !== null) {
    if (!listMatches(ifMatch, validators.etag, strongMatch)) return { kind: "failed", condition: "If-Match" };
  } else {
    const since = parseHttpDate(headers.get("if-unmodified-since"));
    if (since !== null && wholeSeconds(validators.lastModifiedMs) > since) {
      return { kind: "failed", condition: "If-Unmodified-Since" };
    }
  }
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch !== null) {
    if (!listMatches(ifNoneMatch, validators.etag, weakMatch)) return PROCEED;
    return safe ? { kind: "not-modified" } : { kind: "failed", condition: "If-None-Match" };
  }
  if (!safe) return PROCEED;
  const since = parseHttpDate(headers.get("if-modified-since"));
  if (since !== null && wholeSeconds(validators.lastModifiedMs) <= since) return { kind: "not-modified" };
  return PROCEED;
}

/**
 * Whether the `If-Range` validator (RFC 9110 §13.1.5) lets a Range be honoured at `nowMs` (the time of
 * the response, i.e. its `Date`): true when there is none, when it is an entity-tag that strongly
 * matches, or an HTTP-date exactly equal to Last-Modified while Last-Modified is a strong validator.
 * Per §8.8.2.2 a Last-Modified less than one second before the response's Date is weak (another write in
 * the same second would carry the same date), so a date is honoured only when Last-Modified is at least
 * one second before `nowMs`. A weak tag, an invalid or weak date, or any mismatch is false: the whole
 * object is served with 200.
 */
export function ifRangeMatches(ifRange: string | null, validators: Validators, nowMs = Date.now()): boolean {
  if (ifRange === null) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith("W/")) {
    const tag = parseEntityTag(value);
    return tag !== null && strongMatch(tag, validators.etag);
  }
  const date = parseHttpDate(value);
  return date !== null && date === wholeSeconds(validators.lastModifiedMs) &&
    nowMs - validators.lastModifiedMs >= STRONG_DATE_MS;
}

/** How long before the response's Date a Last-Modified must be to be a strong validator (§8.8.2.2). */
const STRONG_DATE_MS = 1000;

/**
 * Whether a list header (`*` or comma-separated entity-tags) matches `etag`. Unquoted members are
 * taken as bare tags, because S3 accepts `If-Match: abc123` as well as `If-Match: "abc123"`.
 */
function listMatches(
  header: string,
  etag: string,
  compare: (tag: EntityTag, etag: string) => boolean,
): boolean {
  const trimmed = header.trim();
  if (trimmed === "*") return true;
  return splitEntityTags(trimmed).some((member) => {
    const tag = parseEntityTag(member) ?? { weak: false, opaque: member };
    return compare(tag, etag);
  });
}

/** Splits on commas that are outside quotes (an opaque tag may contain a comma). */
function splitEntityTags(list: string): string[] {
  const members: string[] = [];
  let current = "";
  let quoted = false;
  for (const char of list) {
    if (char === '"') quoted = !quoted;
    if (char === "," && !quoted) {
      members.push(current.trim());
      current = "";
    } else {
      current += char;
    }
  }
  members.push(current.trim());
  return members.filter((member) => member !== "");
}

/** `"opaque"` or `W/"opaque"`; null when not of that form. */
function parseEntityTag(text: string): EntityTag | null {
  const weak = text.startsWith("W/");
  const quoted = weak ? text.slice(2) : text;
  if (quoted.length < 2 || !quoted.startsWith('"') || !quoted.endsWith('"')) return null;
  const opaque = quoted.slice(1, -1);
  if (opaque.includes('"')) return null;
  return { weak, opaque };
}

/** RFC 9110 §8.8.3.2 strong comparison: neither weak, same opaque tag. */
function strongMatch(tag: EntityTag, etag: string): boolean {
  return !tag.weak && tag.opaque === etag;
}

/** RFC 9110 §8.8.3.2 weak comparison: same opaque tag, weakness ignored. */
function weakMatch(tag: EntityTag, etag: string): boolean {
  return tag.opaque === etag;
}

/** HTTP dates have second precision; Last-Modified is sent truncated, so compare it truncated. */
function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const LONG_DAY = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
const MONTH = `(${MONTHS.join("|")})`;
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
/** `Sun, 06 Nov 1994 08:49:37 GMT`, the preferred form. */
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
/** `Sunday, 06-Nov-94 08:49:37 GMT`, the obsolete RFC 850 form. */
const RFC850_DATE = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
/** `Sun Nov  6 08:49:37 1994`, C's asctime() form (always UTC). */
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * Milliseconds since the epoch of an HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, RFC 850 or asctime),
 * or null when `text` is absent or not a valid HTTP-date (such headers are ignored, per RFC 9110).
 * A strict parser, because `Date.parse` reads asctime dates in the local time zone.
 */
export function parseHttpDate(text: string | null): number | null {
  if (text === null) return null;
  const value = text.trim();
  let match = IMF_FIXDATE.exec(value);
  if (match !== null) return utc(+match[3], match[2], +match[1], match.slice(4));
  match = RFC850_DATE.exec(value);
  if (match !== null) {
    // RFC 9110: a two-digit year more than 50 years in the future means the previous century.
    const nowYear = new Date().getUTCFullYear();
    let year = Math.floor(nowYear / 100) * 100 + Number(match[3]);
    if (year > nowYear + 50) year -= 100;
    return utc(year, match[2], +match[1], match.slice(4));
  }
  match = ASCTIME_DATE.exec(value);
  if (match !== null) return utc(+match[6], match[1], +match[2].trim(), match.slice(3, 6));
  return null;
}

function utc(year: number, monthName: string, day: number, time: string[]): number | null {
  const [hours, minutes, seconds] = time.map(Number);
  const month = MONTHS.indexOf(monthName);
  if (hours > 23 || minutes > 59 || seconds > 60) return null;
  const ms = Date.UTC(year, month, day, hours, minutes, Math.min(seconds, 59));
  // Reject days that roll over into the next month (31 Feb).
  return new Date(ms).getUTCDate() === day ? ms : null;
}
