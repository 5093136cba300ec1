/**
 * The lifecycle evaluator: for one object version (or one multipart upload) and a time, the single action a
 * bucket's lifecycle configuration asks for now. Pure: everything comes from the arguments (no clock, no
 * I/O), so the executor can call it on every scanned version and tests can call it on any instant.
 *
 * Semantics follow the AWS S3 documentation:
 * - Disabled rules never apply; a rule applies when every condition of its filter holds (key prefix, every
 *   filter tag present on the object with an equal value, size strictly greater / strictly less).
 * - Days actions are due at start + days rounded up to the next midnight (see `lifecycle_days.ts`); Date
 *   actions at and after the date.
 * - Expiration acts on current versions that are not delete markers; in a versioned (Enabled or Suspended)
 *   bucket it creates a delete marker. A current delete marker that is the only version of its key is
 *   removed by `ExpiredObjectDeleteMarker` at once, or by `Expiration.Days` once the marker is that old.
 * - Noncurrent actions count days from the moment the version became noncurrent and apply only once at
 *   least `newerNoncurrentVersions` newer noncurrent versions exist. Delete markers are never transitioned.
 * - Transitions only ever move to a colder tier (`storageClassTier`), never back or sideways.
 * - Conflicts resolve as AWS documents: permanent deletion beats transition, transition beats creating a
 *   delete marker, and among transitions the coldest class wins.
 * - Not modelled: AWS's default of never transitioning objects under 128 KB, and minimum storage durations
 *   of the colder classes (a rule that moves tiny objects here does move them).
 */
import { assert } from "../../storage/mod.ts";
import { dateMs, dueAfterDaysMs } from "./lifecycle_days.ts";
import type {
  LifecycleConfiguration,
  LifecycleFilter,
  LifecycleRule,
  LifecycleTag,
  TransitionStorageClass,
} from "./lifecycle_rules.ts";

/** A storage class a version may be in: STANDARD (where every object starts) or a transition class. */
export type LifecycleStorageClass = "STANDARD" | TransitionStorageClass;

/** A bucket's versioning state, which decides whether expiring a current version deletes it. */
export type BucketVersioning = "Unversioned" | "Enabled" | "Suspended";

/**
 * How cold each class is. Transitions only go to a strictly higher tier. The three infrequent-access
 * classes share one tier: we never move between them, as none is clearly colder than another.
 */
const STORAGE_CLASS_TIERS: Readonly<Record<LifecycleStorageClass, number>> = {
  STANDARD: 0,
  STANDARD_IA: 1,
  ONEZONE_IA: 1,
  INTELLIGENT_TIERING: 1,
  GLACIER_IR: 2,
  GLACIER: 3,
  DEEP_ARCHIVE: 4,
};

/**
 * Which class of one tier wins when transitions to several are due at once: AWS favours
 * Intelligent-Tiering over every class but the Glacier ones, and One Zone-IA costs less than Standard-IA.
 */
const SAME_TIER_PREFERENCE: Readonly<Record<LifecycleStorageClass, number>> = {
  STANDARD: 0,
  STANDARD_IA: 0,
  ONEZONE_IA: 1,
  INTELLIGENT_TIERING: 2,
  GLACIER_IR: 0,
  GLACIER: 0,
  DEEP_ARCHIVE: 0,
};

/** True when `name` is a storage class the evaluator knows (an object head stores it as a plain string). */
export function isLifecycleStorageClass(name: string): name is LifecycleStorageClass {
  return Object.hasOwn(STORAGE_CLASS_TIERS, name);
}

/**
 * How cold a class is: STANDARD 0 < STANDARD_IA = ONEZONE_IA = INTELLIGENT_TIERING 1 < GLACIER_IR 2 <
 * GLACIER 3 < DEEP_ARCHIVE 4. A lifecycle transition always goes to a strictly higher tier.
 */
export function storageClassTier(storageClass: LifecycleStorageClass): number {
  const tier = STORAGE_CLASS_TIERS[storageClass];
  assert(tier !== undefined, `Expected a known storage class, got ${JSON.stringify(storageClass)}`);
  return tier;
}

/** What the evaluator needs to know about one object version (a version record plus its place in the key). */
export interface LifecycleVersionFacts {
  readonly key: string;
  /** 0 for a delete marker. */
  readonly sizeBytes: number;
  /** The version's tags (none for a delete marker). */
  readonly tags: readonly LifecycleTag[];
  readonly isCurrent: boolean;
  readonly isDeleteMarker: boolean;
  /** When this version was created. */
  readonly lastModifiedMs: number;
  /** When this version became noncurrent (the creation of the next newer version); null when current. */
  readonly noncurrentSinceMs: number | null;
  /** How many noncurrent versions of the key are newer than this one (0 for the current version). */
  readonly newerNoncurrentCount: number;
  /** True when the key has no other version (what makes a current delete marker "expired"). */
  readonly isOnlyVersion: boolean;
  readonly storageClass: LifecycleStorageClass;
  /** Last read of this version, for `notAccessedTransition`; null when unknown (creation counts instead). */
  readonly lastAccessMs: number | null;
  readonly bucketVersioning: BucketVersioning;
}

/** What triggered a transition: a current version's age, a date, a noncurrent age, or a lack of reads. */
export type TransitionTrigger = "days" | "date" | "noncurrent" | "not-accessed";

/**
 * The one action lifecycle asks for on a version, with the rule that asks and when it became due:
 * - `expire-current`: expire the current version; `createsDeleteMarker` is true in a versioned bucket
 *   (Enabled or Suspended: the executor writes a delete marker), false in an unversioned one (it deletes).
 * - `remove-delete-marker`: permanently remove a current delete marker that is the key's only version.
 * - `expire-noncurrent`: permanently delete this noncurrent version (or noncurrent delete marker).
 * - `transition`: move this version's data to `storageClass`.
 */
export type LifecycleAction =
  | { readonly kind: "none" }
  | DueLifecycleAction;

/** A lifecycle action other than `none`. */
export type DueLifecycleAction =
  | {
    readonly kind: "expire-current";
    readonly ruleId: string;
    readonly dueMs: number;
    readonly createsDeleteMarker: boolean;
  }
  | { readonly kind: "remove-delete-marker"; readonly ruleId: string; readonly dueMs: number }
  | { readonly kind: "expire-noncurrent"; readonly ruleId: string; readonly dueMs: number }
  | {
    readonly kind: "transition";
    readonly ruleId: string;
    readonly dueMs: number;
    readonly storageClass: TransitionStorageClass;
    readonly trigger: TransitionTrigger;
  };

/** The result of a version with nothing to do. */
export const NO_LIFECYCLE_ACTION: LifecycleAction = { kind: "none" };

/** True when `rule` is enabled and its filter matches an object of this key, size and tags. */
export function ruleMatches(
  rule: LifecycleRule,
  key: string,
  sizeBytes: number,
  tags: readonly LifecycleTag[],
): boolean {
  return rule.status === "Enabled" && filterMatches(rule.filter, key, sizeBytes, tags);
}

function filterMatches(
  filter: LifecycleFilter,
  key: string,
  sizeBytes: number,
  tags: readonly LifecycleTag[],
): boolean {
  if (filter.prefix !== undefined && !key.startsWith(filter.prefix)) return false;
  if (filter.objectSizeGreaterThan !== undefined && !(sizeBytes > filter.objectSizeGreaterThan)) return false;
  if (filter.objectSizeLessThan !== undefined && !(sizeBytes < filter.objectSizeLessThan)) return false;
  return (filter.tags ?? []).every((wanted) =>
    tags.some((tag) => tag.key === wanted.key && tag.value === wanted.value)
  );
}

function assertFacts(facts: LifecycleVersionFacts): void {
  storageClassTier(facts.storageClass);
  assert(
    facts.isCurrent || facts.noncurrentSinceMs !== null,
    `Expected noncurrentSinceMs for noncurrent version of ${JSON.stringify(facts.key)}, got null`,
  );
  assert(
    Number.isSafeInteger(facts.newerNoncurrentCount) && facts.newerNoncurrentCount >= 0,
    `Expected a newer noncurrent count >= 0, got ${facts.newerNoncurrentCount}`,
  );
}

/** A transition target, kept only when it is colder than where the version is now. */
function transitionIfColder(
  facts: LifecycleVersionFacts,
  rule: LifecycleRule,
  storageClass: TransitionStorageClass,
  dueMs: number,
  trigger: TransitionTrigger,
): DueLifecycleAction[] {
  if (storageClassTier(storageClass) <= storageClassTier(facts.storageClass)) return [];
  return [{ kind: "transition", ruleId: rule.id, dueMs, storageClass, trigger }];
}

/** Actions one rule asks for on a current version that holds data. */
function currentObjectActions(
  rule: LifecycleRule,
  facts: LifecycleVersionFacts,
  dayMs: number,
): DueLifecycleAction[] {
  const out: DueLifecycleAction[] = [];
  const createsDeleteMarker = facts.bucketVersioning !== "Unversioned";
  const expiration = rule.expiration;
  if (expiration?.days !== undefined) {
    const dueMs = dueAfterDaysMs(facts.lastModifiedMs, expiration.days, dayMs);
    out.push({ kind: "expire-current", ruleId: rule.id, dueMs, createsDeleteMarker });
  }
  if (expiration?.date !== undefined) {
    const dueMs = dateMs(expiration.date);
    out.push({ kind: "expire-current", ruleId: rule.id, dueMs, createsDeleteMarker });
  }
  for (const transition of rule.transitions) {
    if (transition.days !== undefined) {
      const dueMs = dueAfterDaysMs(facts.lastModifiedMs, transition.days, dayMs);
      out.push(...transitionIfColder(facts, rule, transition.storageClass, dueMs, "days"));
    }
    if (transition.date !== undefined) {
      const dueMs = dateMs(transition.date);
      out.push(...transitionIfColder(facts, rule, transition.storageClass, dueMs, "date"));
    }
  }
  const notAccessed = rule.notAccessedTransition;
  if (notAccessed !== undefined) {
    // A write is an access too: a recorded read older than the version itself does not count.
    const lastUseMs = Math.max(facts.lastAccessMs ?? facts.lastModifiedMs, facts.lastModifiedMs);
    const dueMs = dueAfterDaysMs(lastUseMs, notAccessed.days, dayMs);
    out.push(...transitionIfColder(facts, rule, notAccessed.storageClass, dueMs, "not-accessed"));
  }
  return out;
}

/** Actions one rule asks for on a current delete marker: removal once it is the key's only version. */
function currentDeleteMarkerActions(
  rule: LifecycleRule,
  facts: LifecycleVersionFacts,
  dayMs: number,
): DueLifecycleAction[] {
  const expiration = rule.expiration;
  if (!facts.isOnlyVersion || expiration === undefined) return [];
  const out: DueLifecycleAction[] = [];
  // Due from the marker's creation: the facts do not say when its last other version went away.
  if (expiration.expiredObjectDeleteMarker === true) {
    out.push({ kind: "remove-delete-marker", ruleId: rule.id, dueMs: facts.lastModifiedMs });
  }
  // AWS: with Days, S3 removes expired delete markers once they are old enough for the rule.
  if (expiration.days !== undefined) {
    const dueMs = dueAfterDaysMs(facts.lastModifiedMs, expiration.days, dayMs);
    out.push({ kind: "remove-delete-marker", ruleId: rule.id, dueMs });
  }
  return out;
}

/** Actions one rule asks for on a noncurrent version (or noncurrent delete marker). */
function noncurrentActions(
  rule: LifecycleRule,
  facts: LifecycleVersionFacts,
  noncurrentSinceMs: number,
  dayMs: number,
): DueLifecycleAction[] {
  const out: DueLifecycleAction[] = [];
  const expiration = rule.noncurrentVersionExpiration;
  if (expiration !== undefined && facts.newerNoncurrentCount >= (expiration.newerNoncurrentVersions ?? 0)) {
    const dueMs = dueAfterDaysMs(noncurrentSinceMs, expiration.noncurrentDays, dayMs);
    out.push({ kind: "expire-noncurrent", ruleId: rule.id, dueMs });
  }
  if (facts.isDeleteMarker) return out;
  for (const transition of rule.noncurrentVersionTransitions) {
    if (facts.newerNoncurrentCount < (transition.newerNoncurrentVersions ?? 0)) continue;
    const dueMs = dueAfterDaysMs(noncurrentSinceMs, transition.noncurrentDays, dayMs);
    out.push(...transitionIfColder(facts, rule, transition.storageClass, dueMs, "noncurrent"));
  }
  return out;
}

/**
 * Every action the configuration asks for on this version at some time, whether due yet or not, in rule
 * order. Transitions to a class no colder than the current one are left out, so every listed action stays
 * wanted until the version changes.
 */
export function lifecycleActionsOf(
  configuration: LifecycleConfiguration,
  facts: LifecycleVersionFacts,
  dayMs: number,
): DueLifecycleAction[] {
  assertFacts(facts);
  const out: DueLifecycleAction[] = [];
  for (const rule of configuration.rules) {
    if (!ruleMatches(rule, facts.key, facts.sizeBytes, facts.tags)) continue;
    if (!facts.isCurrent) {
      out.push(...noncurrentActions(rule, facts, facts.noncurrentSinceMs ?? facts.lastModifiedMs, dayMs));
    } else if (facts.isDeleteMarker) {
      out.push(...currentDeleteMarkerActions(rule, facts, dayMs));
    } else {
      out.push(...currentObjectActions(rule, facts, dayMs));
    }
  }
  return out;
}

/**
 * How strongly an action is preferred when several are due: permanent deletion, then transitions (colder
 * first), then expiration that only creates a delete marker (AWS: transition takes precedence over it).
 */
function precedenceOf(action: DueLifecycleAction): number {
  switch (action.kind) {
    case "expire-noncurrent":
    case "remove-delete-marker":
      return 100;
    case "expire-current":
      return action.createsDeleteMarker ? 1 : 100;
    case "transition":
      return 10 + 3 * storageClassTier(action.storageClass) + SAME_TIER_PREFERENCE[action.storageClass];
  }
}

/** The preferred of `actions`: highest precedence, then the earliest due (the rule that asked first). */
function preferredAction(actions: readonly DueLifecycleAction[]): LifecycleAction {
  let best: DueLifecycleAction | null = null;
  for (const action of actions) {
    if (best === null) best = action;
    else {
      const difference = precedenceOf(action) - precedenceOf(best);
      if (difference > 0 || (difference === 0 && action.dueMs < best.dueMs)) best = action;
    }
  }
  return best ?? NO_LIFECYCLE_ACTION;
}

/**
 * The one action to take on this version at `nowMs` (`none` when nothing is due). `dayMs` is the length
 * of a lifecycle day (`AWS_DAY_MS` in production).
 */
export function evaluateLifecycle(
  configuration: LifecycleConfiguration,
  facts: LifecycleVersionFacts,
  nowMs: number,
  dayMs: number,
): LifecycleAction {
  const due = lifecycleActionsOf(configuration, facts, dayMs).filter((action) => action.dueMs <= nowMs);
  return preferredAction(due);
}

/**
 * When `evaluateLifecycle` first returns an action for this version as it stands (possibly a time already
 * past), or null when no rule will ever act on it. After the executor acts, the facts change: ask again.
 */
export function nextLifecycleEventMs(
  configuration: LifecycleConfiguration,
  facts: LifecycleVersionFacts,
  dayMs: number,
): number | null {
  const actions = lifecycleActionsOf(configuration, facts, dayMs);
  return actions.length === 0 ? null : Math.min(...actions.map((action) => action.dueMs));
}

/**
 * The `x-amz-expiration` header S3 sends with a current object that an enabled rule will expire:
 * `expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="rule-name"` for the earliest such expiration (the
 * rule id URL-encoded, as S3 documents). Null for delete markers, noncurrent versions and objects no rule
 * expires.
 */
export function expirationHeaderOf(
  configuration: LifecycleConfiguration,
  facts: LifecycleVersionFacts,
  dayMs: number,
): string | null {
  if (!facts.isCurrent || facts.isDeleteMarker) return null;
  let earliest: DueLifecycleAction | null = null;
  for (const action of lifecycleActionsOf(configuration, facts, dayMs)) {
    if (action.kind === "expire-current" && (earliest === null || action.dueMs < earliest.dueMs)) {
      earliest = action;
    }
  }
  if (earliest === null) return null;
  const expiryDate = new Date(earliest.dueMs).toUTCString();
  return `expiry-date="${expiryDate}", rule-id="${encodeURIComponent(earliest.ruleId)}"`;
}

/** What the evaluator needs to know about one incomplete multipart upload. */
export interface LifecycleUploadFacts {
  readonly key: string;
  /** When CreateMultipartUpload started it. */
  readonly initiatedMs: number;
}

/** The action lifecycle asks for on an incomplete multipart upload: abort it, or nothing. */
export type LifecycleUploadAction =
  | { readonly kind: "none" }
  | { readonly kind: "abort-upload"; readonly ruleId: string; readonly dueMs: number };

/**
 * When each rule with `AbortIncompleteMultipartUpload` would abort this upload. Only a prefix can select
 * uploads: an upload has no tags and no final size yet, so a rule whose filter names tags or sizes (AWS
 * refuses tags there) never aborts one — leaving an upload costs less than wrongly aborting it.
 */
function abortTimesOf(
  configuration: LifecycleConfiguration,
  upload: LifecycleUploadFacts,
  dayMs: number,
): Array<{ readonly ruleId: string; readonly dueMs: number }> {
  const out: Array<{ readonly ruleId: string; readonly dueMs: number }> = [];
  for (const rule of configuration.rules) {
    const abort = rule.abortIncompleteMultipartUpload;
    const filter = rule.filter;
    if (abort === undefined || rule.status !== "Enabled") continue;
    if ((filter.tags ?? []).length > 0) continue;
    if (filter.objectSizeGreaterThan !== undefined || filter.objectSizeLessThan !== undefined) continue;
    if (filter.prefix !== undefined && !upload.key.startsWith(filter.prefix)) continue;
    out.push({
      ruleId: rule.id,
      dueMs: dueAfterDaysMs(upload.initiatedMs, abort.daysAfterInitiation, dayMs),
    });
  }
  return out;
}

/**
 * Whether to abort an incomplete multipart upload at `nowMs`: `DaysAfterInitiation` days after it started,
 * rounded up to the next midnight, by the rule that made it due first.
 */
export function evaluateUpload(
  configuration: LifecycleConfiguration,
  upload: LifecycleUploadFacts,
  nowMs: number,
  dayMs: number,
): LifecycleUploadAction {
  let earliest: LifecycleUploadAction = { kind: "none" };
  for (const { ruleId, dueMs } of abortTimesOf(configuration, upload, dayMs)) {
    if (dueMs > nowMs) continue;
    if (earliest.kind === "none" || dueMs < earliest.dueMs) {
      earliest = { kind: "abort-upload", ruleId, dueMs };
    }
  }
  return earliest;
}

/** When `evaluateUpload` first aborts this upload, or null when no rule ever will. */
export function nextUploadEventMs(
  configuration: LifecycleConfiguration,
  upload: LifecycleUploadFacts,
  dayMs: number,
): number | null {
  const times = abortTimesOf(configuration, upload, dayMs).map((abort) => abort.dueMs);
  return times.length === 0 ? null : Math.min(...times);
}
