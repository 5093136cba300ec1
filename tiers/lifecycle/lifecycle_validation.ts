/**
 * The rules a lifecycle configuration must keep before it is stored, as AWS documents and enforces them
 * for PutBucketLifecycleConfiguration: 1 to 1000 rules with unique IDs of at most 255 characters, at least
 * one action per rule, day counts and midnight-UTC dates in range, transitions in the storage-class order
 * of S3's waterfall (one per class, days or dates never mixed), expiration after every transition, and no
 * tag filter with ExpiredObjectDeleteMarker or AbortIncompleteMultipartUpload. Where AWS is silent, the
 * choice is stated where it is made. Pure; the evaluator may rely on every stored rule having passed here.
 */
import { MAX_KEY_BYTES } from "../../storage/mod.ts";
import type {
  LifecycleConfiguration,
  LifecycleExpiration,
  LifecycleFilter,
  LifecycleRule,
  TransitionStorageClass,
} from "./lifecycle_rules.ts";

/** Most rules in one configuration (AWS's limit, not adjustable). */
export const MAX_LIFECYCLE_RULES = 1000;
/** Longest rule ID, in characters. */
export const MAX_LIFECYCLE_RULE_ID_CHARS = 255;
/** Most newer noncurrent versions a noncurrent action may keep. */
export const MAX_NEWER_NONCURRENT_VERSIONS = 100;
/** Largest day count (AWS types days as a 32-bit integer). */
export const MAX_LIFECYCLE_DAYS = 2_147_483_647;
/** Fewest days before a move to STANDARD_IA or ONEZONE_IA (AWS's minimum for these classes). */
export const MIN_INFREQUENT_ACCESS_DAYS = 30;
/**
 * Most tags one filter may require. AWS names no limit; an object carries at most 10 tags, so a filter
 * needing more could never match, and refusing it tells the owner so.
 */
export const MAX_FILTER_TAGS = 10;

/**
 * Transition targets in S3's waterfall order: a rule may move objects only towards later classes, so
 * its transitions, sorted by this order, must fall on strictly later days (or dates).
 */
export const TRANSITION_ORDER: readonly TransitionStorageClass[] = [
  "STANDARD_IA",
  "INTELLIGENT_TIERING",
  "ONEZONE_IA",
  "GLACIER_IR",
  "GLACIER",
  "DEEP_ARCHIVE",
];

/** Which S3 error a refused configuration deserves: a bad value, or actions that do not go together. */
export type LifecycleErrorKind = "invalid_argument" | "invalid_request";

/** A configuration that breaks one of the rules above; the message names the rule and the values. */
export class LifecycleConfigurationError extends Error {
  /** InvalidArgument or InvalidRequest, for the routes' error map. */
  readonly kind: LifecycleErrorKind;

  constructor(kind: LifecycleErrorKind, message: string) {
    super(message);
    this.name = "LifecycleConfigurationError";
    this.kind = kind;
  }
}

/** Position of `storageClass` in `TRANSITION_ORDER`. */
export function transitionRank(storageClass: TransitionStorageClass): number {
  return TRANSITION_ORDER.indexOf(storageClass);
}

/** Throws `LifecycleConfigurationError` unless `configuration` keeps every rule above. */
export function validateLifecycleConfiguration(configuration: LifecycleConfiguration): void {
  const { rules } = configuration;
  if (rules.length === 0) throw invalidRequest("A lifecycle configuration needs at least one rule");
  if (rules.length > MAX_LIFECYCLE_RULES) {
    throw invalidRequest(
      `A lifecycle configuration holds at most ${MAX_LIFECYCLE_RULES} rules, got ${rules.length}`,
    );
  }
  const ids = new Set<string>();
  for (const rule of rules) {
    checkRule(rule);
    if (ids.has(rule.id)) {
      throw invalidArgument(`Rule ID must be unique. Found same ID for more than one rule: "${rule.id}"`);
    }
    ids.add(rule.id);
  }
}

function checkRule(rule: LifecycleRule): void {
  const chars = [...rule.id].length;
  if (chars === 0 || chars > MAX_LIFECYCLE_RULE_ID_CHARS) {
    throw invalidArgument(
      `A rule ID must be 1 to ${MAX_LIFECYCLE_RULE_ID_CHARS} characters long, got ${chars}`,
    );
  }
  const where = `rule "${rule.id}"`;
  if (rule.status !== "Enabled" && rule.status !== "Disabled") {
    throw invalidArgument(`Status must be Enabled or Disabled, got "${rule.status}" (${where})`);
  }
  checkFilter(rule.filter, where);
  const hasAction = rule.expiration !== undefined || rule.transitions.length > 0 ||
    rule.noncurrentVersionExpiration !== undefined || rule.noncurrentVersionTransitions.length > 0 ||
    rule.abortIncompleteMultipartUpload !== undefined || rule.notAccessedTransition !== undefined;
  if (!hasAction) throw invalidRequest(`At least one action needs to be specified in a rule (${where})`);
  const tagged = (rule.filter.tags?.length ?? 0) > 0;
  if (rule.expiration !== undefined) checkExpiration(rule.expiration, tagged, where);
  checkTransitions(rule, where);
  checkNoncurrentActions(rule, where);
  const abort = rule.abortIncompleteMultipartUpload;
  if (abort !== undefined) {
    checkDays(abort.daysAfterInitiation, 1, "'DaysAfterInitiation' in AbortIncompleteMultipartUpload", where);
    if (tagged) {
      throw invalidRequest(`AbortIncompleteMultipartUpload cannot be specified with a Tag filter (${where})`);
    }
  }
  const notAccessed = rule.notAccessedTransition;
  if (notAccessed !== undefined) {
    // Our extension: at least one day (0 would move every object at once, which a Transition says
    // better), and the infrequent-access classes keep AWS's 30-day minimum, as for a Transition.
    checkDays(
      notAccessed.days,
      Math.max(1, minimumDays(notAccessed.storageClass)),
      `'Days' in NotAccessedTransition to StorageClass '${notAccessed.storageClass}'`,
      where,
    );
  }
}

function checkFilter(filter: LifecycleFilter, where: string): void {
  if (filter.prefix !== undefined && new TextEncoder().encode(filter.prefix).length > MAX_KEY_BYTES) {
    throw invalidArgument(`A filter prefix is at most ${MAX_KEY_BYTES} bytes of UTF-8 (${where})`);
  }
  const tags = filter.tags ?? [];
  if (tags.length > MAX_FILTER_TAGS) {
    throw invalidArgument(
      `A filter may require at most ${MAX_FILTER_TAGS} tags (an object has no more), got ${tags.length} (${where})`,
    );
  }
  const keys = new Set<string>();
  for (const { key, value } of tags) {
    const keyChars = [...key].length;
    if (keyChars === 0 || keyChars > 128) {
      throw invalidArgument(`A filter tag key must be 1 to 128 characters, got ${keyChars} (${where})`);
    }
    if ([...value].length > 256) {
      throw invalidArgument(`A filter tag value is at most 256 characters (${where}, tag "${key}")`);
    }
    if (keys.has(key)) throw invalidRequest(`Duplicate Tag Keys are not allowed: "${key}" (${where})`);
    keys.add(key);
  }
  const { objectSizeGreaterThan: above, objectSizeLessThan: below } = filter;
  if (above !== undefined && !(Number.isSafeInteger(above) && above >= 0)) {
    throw invalidArgument(`ObjectSizeGreaterThan must be an integer of 0 or more, got ${above} (${where})`);
  }
  // A size below 1 byte matches nothing; AWS is silent on it, and an error is what a client can act on.
  if (below !== undefined && !(Number.isSafeInteger(below) && below >= 1)) {
    throw invalidArgument(`ObjectSizeLessThan must be a positive integer, got ${below} (${where})`);
  }
  if (above !== undefined && below !== undefined && above >= below) {
    throw invalidArgument(
      `ObjectSizeGreaterThan (${above}) must be less than ObjectSizeLessThan (${below}) (${where})`,
    );
  }
}

function checkExpiration(expiration: LifecycleExpiration, tagged: boolean, where: string): void {
  const { days, date, expiredObjectDeleteMarker } = expiration;
  const given = [days, date, expiredObjectDeleteMarker].filter((value) => value !== undefined).length;
  if (given !== 1) {
    throw invalidArgument(
      `An Expiration takes exactly one of Days, Date and ExpiredObjectDeleteMarker, got ${given} (${where})`,
    );
  }
  if (days !== undefined) checkDays(days, 1, "'Days' in the Expiration action", where);
  if (date !== undefined) checkDate(date, "'Date' in the Expiration action", where);
  if (expiredObjectDeleteMarker !== undefined && tagged) {
    throw invalidRequest(`ExpiredObjectDeleteMarker cannot be specified with a Tag filter (${where})`);
  }
}

/** A point in a schedule: a day count, or a date as epoch milliseconds; the kind says which. */
interface ScheduledMove {
  readonly storageClass: TransitionStorageClass;
  readonly kind: "Days" | "Date";
  readonly at: number;
}

function checkTransitions(rule: LifecycleRule, where: string): void {
  const moves: ScheduledMove[] = rule.transitions.map((transition) => {
    const { days, date, storageClass } = transition;
    if ((days === undefined) === (date === undefined)) {
      throw invalidArgument(`A Transition takes exactly one of Days and Date (${where}, ${storageClass})`);
    }
    if (days !== undefined) {
      checkDays(
        days,
        minimumDays(storageClass),
        `'Days' in the Transition action for StorageClass '${storageClass}'`,
        where,
      );
      return { storageClass, kind: "Days", at: days };
    }
    const label = `'Date' in the Transition action for StorageClass '${storageClass}'`;
    return { storageClass, kind: "Date", at: checkDate(date as string, label, where) };
  });
  if (moves.some((move) => move.kind === "Days") && moves.some((move) => move.kind === "Date")) {
    throw invalidRequest(`Found mixed 'Date' and 'Days' based Transition actions (${where})`);
  }
  const last = checkSchedule(moves, "Transition", where);
  const expiration = rule.expiration;
  if (last === undefined || expiration === undefined || expiration.expiredObjectDeleteMarker !== undefined) {
    return;
  }
  const expirationKind = expiration.days !== undefined ? "Days" : "Date";
  if (expirationKind !== last.kind) {
    throw invalidRequest(`Found mixed 'Date' and 'Days' based Expiration and Transition actions (${where})`);
  }
  const expiresAt = expiration.days ?? Date.parse(expiration.date as string);
  if (expiresAt <= last.at) {
    throw invalidArgument(
      `'${expirationKind}' in the Expiration action must be later than '${expirationKind}' in the ` +
        `Transition action for StorageClass '${last.storageClass}' (${where})`,
    );
  }
}

function checkNoncurrentActions(rule: LifecycleRule, where: string): void {
  const moves: ScheduledMove[] = rule.noncurrentVersionTransitions.map((transition) => {
    const { noncurrentDays, newerNoncurrentVersions, storageClass } = transition;
    const action = `NoncurrentVersionTransition action for StorageClass '${storageClass}'`;
    checkDays(noncurrentDays, minimumDays(storageClass), `'NoncurrentDays' in the ${action}`, where);
    if (newerNoncurrentVersions !== undefined) {
      checkNewerVersions(newerNoncurrentVersions, `'NewerNoncurrentVersions' in the ${action}`, where);
    }
    return { storageClass, kind: "Days", at: noncurrentDays };
  });
  const last = checkSchedule(moves, "NoncurrentVersionTransition", where);
  const expiration = rule.noncurrentVersionExpiration;
  if (expiration === undefined) return;
  const action = "NoncurrentVersionExpiration action";
  checkDays(expiration.noncurrentDays, 1, `'NoncurrentDays' in the ${action}`, where);
  if (expiration.newerNoncurrentVersions !== undefined) {
    checkNewerVersions(
      expiration.newerNoncurrentVersions,
      `'NewerNoncurrentVersions' in the ${action}`,
      where,
    );
  }
  if (last !== undefined && expiration.noncurrentDays <= last.at) {
    throw invalidArgument(
      `'NoncurrentDays' in the ${action} must be greater than 'NoncurrentDays' in the ` +
        `NoncurrentVersionTransition action for StorageClass '${last.storageClass}' (${where})`,
    );
  }
}

/**
 * Checks that `moves` name each storage class once and, in waterfall order, fall strictly later each;
 * returns the last one.
 */
function checkSchedule(
  moves: readonly ScheduledMove[],
  action: string,
  where: string,
): ScheduledMove | undefined {
  const ordered = [...moves].sort((a, b) => transitionRank(a.storageClass) - transitionRank(b.storageClass));
  for (let i = 1; i < ordered.length; i++) {
    const earlier = ordered[i - 1];
    const later = ordered[i];
    if (earlier.storageClass === later.storageClass) {
      throw invalidArgument(
        `'StorageClass' must be different for '${action}' actions in the same rule: ` +
          `'${later.storageClass}' appears twice (${where})`,
      );
    }
    if (later.at <= earlier.at) {
      throw invalidArgument(
        `'${later.kind}' in the ${action} action for StorageClass '${later.storageClass}' must be later ` +
          `than for StorageClass '${earlier.storageClass}', which comes first in S3's order (${where})`,
      );
    }
  }
  return ordered.at(-1);
}

function minimumDays(storageClass: TransitionStorageClass): number {
  return storageClass === "STANDARD_IA" || storageClass === "ONEZONE_IA" ? MIN_INFREQUENT_ACCESS_DAYS : 0;
}

function checkDays(days: number, minimum: number, label: string, where: string): void {
  if (!Number.isSafeInteger(days) || days < minimum || days > MAX_LIFECYCLE_DAYS) {
    throw invalidArgument(
      `${label} must be an integer from ${minimum} to ${MAX_LIFECYCLE_DAYS}, got ${days} (${where})`,
    );
  }
}

function checkNewerVersions(count: number, label: string, where: string): void {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_NEWER_NONCURRENT_VERSIONS) {
    throw invalidArgument(
      `${label} must be an integer from 1 to ${MAX_NEWER_NONCURRENT_VERSIONS}, got ${count} (${where})`,
    );
  }
}

/** Epoch milliseconds of `date`, which must be an ISO 8601 instant at midnight UTC (`…T00:00:00.000Z`). */
function checkDate(date: string, label: string, where: string): number {
  const ms = Date.parse(date);
  const canonical = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(date) && !Number.isNaN(ms) &&
    new Date(ms).toISOString() === date;
  if (!canonical) {
    throw invalidArgument(`${label} must be an ISO 8601 date, got "${date}" (${where})`);
  }
  if (!date.endsWith("T00:00:00.000Z")) {
    throw invalidArgument(`${label} must be at midnight UTC, got "${date}" (${where})`);
  }
  return ms;
}

function invalidArgument(message: string): LifecycleConfigurationError {
  return new LifecycleConfigurationError("invalid_argument", message);
}

function invalidRequest(message: string): LifecycleConfigurationError {
  return new LifecycleConfigurationError("invalid_request", message);
}
