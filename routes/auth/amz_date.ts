/** Request timestamps: the ISO 8601 basic form SigV4 uses (`20261125T083000Z`) and HTTP `Date`. */

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Milliseconds since the epoch of an `x-amz-date` value, or `null` if it is not a real UTC time. */
export function parseAmzDate(text: string): number | null {
  const match = AMZ_DATE.exec(text);
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 February over into March; a real timestamp formats back to itself.
  return formatAmzDate(ms) === text ? ms : null;
}

/** `x-amz-date` form of `ms` (second precision, UTC). */
export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** Milliseconds of an HTTP `Date` header (RFC 7231 IMF-fixdate or the older forms), or `null`. */
export function parseHttpDate(text: string): number | null {
  if (!/^[A-Za-z]{3},? /.test(text.trim())) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}
