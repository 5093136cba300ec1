import { assert, assertEquals } from "../../tests/support/asserts.ts";
import { assertThrows } from "../../tests/support/throws_test_support.ts";
import { AWS_DAY_MS } from "./lifecycle_days.ts";
import {
  evaluateLifecycle,
  evaluateUpload,
  expirationHeaderOf,
  type LifecycleAction,
  type LifecycleStorageClass,
  type LifecycleVersionFacts,
  nextLifecycleEventMs,
  nextUploadEventMs,
} from "./lifecycle_evaluator.ts";
import {
  type LifecycleConfiguration,
  type LifecycleRule,
  TRANSITION_STORAGE_CLASSES,
  type TransitionStorageClass,
} from "./lifecycle_rules.ts";

/** A short lifecycle day, as the integration tests use. */
const DAY_MS = 2000;

type Rules = LifecycleRule[];
type Facts = LifecycleVersionFacts;

const BLANK_RULE = { filter: {}, transitions: [], noncurrentVersionTransitions: [] } as const;

function rule(fields: Partial<LifecycleRule>): LifecycleRule {
  return { id: "rule", status: "Enabled", ...BLANK_RULE, ...fields };
}

function configuration(...rules: LifecycleRule[]): LifecycleConfiguration {
  return { rules };
}

const expireAfter = (days: number, id = "rule") => rule({ id, expiration: { days } });
const moveAfter = (days: number, storageClass: TransitionStorageClass, id = "rule") =>
  rule({ id, transitions: [{ days, storageClass }] });

/** A current object created in the middle of day 0 (1000 ms, with 2000-ms days) in an unversioned bucket. */
function current(fields: Partial<Facts> = {}): Facts {
  return {
    key: "logs/app.log",
    sizeBytes: 1000,
    tags: [],
    isCurrent: true,
    isDeleteMarker: false,
    lastModifiedMs: 1000,
    noncurrentSinceMs: null,
    newerNoncurrentCount: 0,
    isOnlyVersion: true,
    storageClass: "STANDARD",
    lastAccessMs: null,
    bucketVersioning: "Unversioned",
    ...fields,
  };
}

const VERSIONED = { bucketVersioning: "Enabled" } as const;
const STALE = { isCurrent: false, isOnlyVersion: false } as const;

/** A noncurrent version created at 1000 ms that became noncurrent at 5000 ms, in a versioned bucket. */
function noncurrent(fields: Partial<Facts> = {}): Facts {
  return current({ ...STALE, noncurrentSinceMs: 5000, ...VERSIONED, ...fields });
}

/** A current delete marker written at 3000 ms, the only version of its key. */
function marker(fields: Partial<Facts> = {}): Facts {
  return current({ isDeleteMarker: true, sizeBytes: 0, lastModifiedMs: 3000, ...VERSIONED, ...fields });
}

/** A short name of an action: `none`, `delete@rule`, `mark-deleted@rule`, `transition:GLACIER@rule`… */
function nameOf(action: LifecycleAction): string {
  if (action.kind === "none") return "none";
  if (action.kind === "transition") return `transition:${action.storageClass}@${action.ruleId}`;
  if (action.kind !== "expire-current") return `${action.kind}@${action.ruleId}`;
  return `${action.createsDeleteMarker ? "mark-deleted" : "delete"}@${action.ruleId}`;
}

/** Asserts the short name of the action `rules` ask for on `facts` at `nowMs`. */
function check(rules: Rules, facts: Facts, nowMs: number, expected: string, dayMs = DAY_MS): void {
  const action = evaluateLifecycle(configuration(...rules), facts, nowMs, dayMs);
  assertEquals(nameOf(action), expected, `at ${nowMs} on ${JSON.stringify(facts)}`);
}

/** Asserts nothing is due 1 ms before `dueMs`, and `expected` exactly at it and 1 ms after. */
function checkDueAt(rules: Rules, facts: Facts, dueMs: number, expected: string, dayMs = DAY_MS): void {
  check(rules, facts, dueMs - 1, "none", dayMs);
  check(rules, facts, dueMs, expected, dayMs);
  check(rules, facts, dueMs + 1, expected, dayMs);
}

const ENV_DEV = { key: "env", value: "dev" };
const TEAM_A = { key: "team", value: "a" };

Deno.test("evaluateLifecycle() applies a rule only when its prefix, tags and size filter all match", () => {
  const tagged = current({ tags: [ENV_DEV, TEAM_A] });
  const cases: Array<[LifecycleRule["filter"], LifecycleVersionFacts, string]> = [
    [{}, current(), "delete@rule"],
    [{ prefix: "logs/" }, current(), "delete@rule"],
    [{ prefix: "data/" }, current(), "none"],
    [{ prefix: "Logs/" }, current(), "none"],
    [{ tags: [ENV_DEV] }, tagged, "delete@rule"],
    [{ tags: [ENV_DEV, TEAM_A] }, tagged, "delete@rule"],
    [{ tags: [{ key: "env", value: "prod" }] }, tagged, "none"],
    [{ tags: [ENV_DEV, { key: "x", value: "" }] }, tagged, "none"],
    [{ tags: [{ key: "x", value: "" }] }, current({ tags: [{ key: "x", value: "" }] }), "delete@rule"],
    [{ objectSizeGreaterThan: 999 }, current(), "delete@rule"],
    [{ objectSizeGreaterThan: 1000 }, current(), "none"],
    [{ objectSizeLessThan: 1001 }, current(), "delete@rule"],
    [{ objectSizeLessThan: 1000 }, current(), "none"],
    [{ objectSizeGreaterThan: 10, objectSizeLessThan: 2000 }, current(), "delete@rule"],
    [{ prefix: "logs/", tags: [ENV_DEV] }, current(), "none"],
    [{ prefix: "logs/", tags: [TEAM_A], objectSizeLessThan: 5000 }, tagged, "delete@rule"],
  ];
  for (const [filter, facts, expected] of cases) {
    check([rule({ filter, expiration: { days: 1 } })], facts, 1e9, expected);
  }
});

Deno.test("evaluateLifecycle() never applies a Disabled rule", () => {
  const off = rule({
    id: "off",
    status: "Disabled",
    expiration: { days: 1 },
    transitions: [{ days: 0, storageClass: "GLACIER" }],
    noncurrentVersionExpiration: { noncurrentDays: 1 },
    notAccessedTransition: { days: 1, storageClass: "STANDARD_IA" },
  });
  check([off], current(), 1e9, "none");
  check([off], noncurrent(), 1e9, "none");
  check([{ ...off, expiration: { expiredObjectDeleteMarker: true } }], marker(), 1e9, "none");
  check([off, expireAfter(5, "on")], current(), 1e9, "delete@on");
});

Deno.test("evaluateLifecycle() expires at creation + Days rounded up to midnight UTC (86 400 000-ms days)", () => {
  const cases: Array<[created: string, due: string]> = [
    ["2024-05-10T10:30:00.000Z", "2024-05-14T00:00:00.000Z"],
    ["2024-05-10T00:00:00.000Z", "2024-05-13T00:00:00.000Z"],
    ["2024-05-10T23:59:59.999Z", "2024-05-14T00:00:00.000Z"],
    ["2024-12-30T12:00:00.000Z", "2025-01-03T00:00:00.000Z"],
  ];
  for (const [created, due] of cases) {
    const facts = current({ lastModifiedMs: Date.parse(created) });
    checkDueAt([expireAfter(3)], facts, Date.parse(due), "delete@rule", AWS_DAY_MS);
  }
});

Deno.test("evaluateLifecycle() rounds Days up to the next multiple of a 2000-ms day", () => {
  checkDueAt([expireAfter(2)], current({ lastModifiedMs: 1000 }), 6000, "delete@rule");
  checkDueAt([expireAfter(2)], current({ lastModifiedMs: 2000 }), 6000, "delete@rule");
  checkDueAt([expireAfter(2)], current({ lastModifiedMs: 2001 }), 8000, "delete@rule");
  checkDueAt([moveAfter(0, "GLACIER")], current({ lastModifiedMs: 2001 }), 4000, "transition:GLACIER@rule");
});

Deno.test("evaluateLifecycle() applies Date rules at and after the date, also to objects created later", () => {
  const date = "1970-01-01T00:00:20.000Z";
  checkDueAt([rule({ expiration: { date } })], current(), 20_000, "delete@rule");
  const move = rule({ transitions: [{ date, storageClass: "GLACIER" }] });
  checkDueAt([move], current(), 20_000, "transition:GLACIER@rule");
  check([rule({ expiration: { date } })], current({ lastModifiedMs: 30_000 }), 30_001, "delete@rule");
});

Deno.test("evaluateLifecycle() expiring a current version deletes when unversioned and marks when versioned", () => {
  check([expireAfter(1)], current({ bucketVersioning: "Unversioned" }), 1e9, "delete@rule");
  check([expireAfter(1)], current({ bucketVersioning: "Enabled" }), 1e9, "mark-deleted@rule");
  check([expireAfter(1)], current({ bucketVersioning: "Suspended" }), 1e9, "mark-deleted@rule");
});

Deno.test("evaluateLifecycle() resolves expiration against transition as AWS documents", () => {
  const both = rule({ expiration: { days: 1 }, transitions: [{ days: 1, storageClass: "GLACIER" }] });
  // Permanent deletion takes precedence over transition.
  check([both], current(), 1e9, "delete@rule");
  check([moveAfter(1, "STANDARD_IA", "move"), expireAfter(1, "gone")], current(), 1e9, "delete@gone");
  // Transition takes precedence over creating a delete marker; once moved, the expiration follows.
  check([both], current({ bucketVersioning: "Enabled" }), 1e9, "transition:GLACIER@rule");
  check([both], current({ bucketVersioning: "Enabled", storageClass: "GLACIER" }), 1e9, "mark-deleted@rule");
  // An expiration not yet due never holds back a due transition.
  check([expireAfter(9), moveAfter(1, "GLACIER")], current(), 10_000, "transition:GLACIER@rule");
});

Deno.test("evaluateLifecycle() picks the coldest transition due, across transitions and rules", () => {
  const ladder = rule({
    id: "ladder",
    transitions: [
      { days: 1, storageClass: "STANDARD_IA" },
      { days: 3, storageClass: "GLACIER_IR" },
      { days: 5, storageClass: "DEEP_ARCHIVE" },
    ],
  });
  const rules = [ladder, moveAfter(4, "GLACIER", "glacier")];
  checkDueAt(rules, current(), 4000, "transition:STANDARD_IA@ladder");
  check(rules, current(), 8000, "transition:GLACIER_IR@ladder");
  check(rules, current(), 10_000, "transition:GLACIER@glacier");
  check(rules, current(), 12_000, "transition:DEEP_ARCHIVE@ladder");
  // Within the infrequent-access tier, Intelligent-Tiering wins over One Zone-IA over Standard-IA.
  const infrequent = [moveAfter(1, "STANDARD_IA", "ia"), moveAfter(1, "ONEZONE_IA", "oz")];
  check(infrequent, current(), 1e9, "transition:ONEZONE_IA@oz");
  const all = [...infrequent, moveAfter(2, "INTELLIGENT_TIERING", "it")];
  check(all, current(), 1e9, "transition:INTELLIGENT_TIERING@it");
  // Of two transitions to one class, the one due first names the action.
  const twins = [moveAfter(3, "GLACIER", "late"), moveAfter(1, "GLACIER", "early")];
  check(twins, current(), 1e9, "transition:GLACIER@early");
});

Deno.test("evaluateLifecycle() never moves a version back to a warmer class or sideways within a tier", () => {
  const noncurrentToIa = rule({
    noncurrentVersionTransitions: [{ noncurrentDays: 1, storageClass: "STANDARD_IA" }],
  });
  check([moveAfter(1, "STANDARD_IA")], current(), 1e9, "transition:STANDARD_IA@rule");
  check([noncurrentToIa], noncurrent(), 1e9, "transition:STANDARD_IA@rule");
  for (const storageClass of TRANSITION_STORAGE_CLASSES) {
    check([moveAfter(1, "STANDARD_IA")], current({ storageClass }), 1e9, "none");
    check([noncurrentToIa], noncurrent({ storageClass }), 1e9, "none");
    check([moveAfter(1, "ONEZONE_IA")], current({ storageClass }), 1e9, "none");
  }
  const both = [moveAfter(1, "GLACIER"), moveAfter(1, "STANDARD_IA")];
  check(both, current({ storageClass: "GLACIER_IR" }), 1e9, "transition:GLACIER@rule");
});

Deno.test("evaluateLifecycle() never transitions a delete marker nor expires one that has other versions", () => {
  const everything = rule({
    expiration: { date: "1970-01-01T00:00:00.000Z" },
    transitions: [{ days: 0, storageClass: "GLACIER" }],
    noncurrentVersionTransitions: [{ noncurrentDays: 0, storageClass: "GLACIER" }],
    notAccessedTransition: { days: 0, storageClass: "GLACIER" },
  });
  check([everything], marker({ isOnlyVersion: true }), 1e9, "none");
  check([everything], marker({ isOnlyVersion: false }), 1e9, "none");
  check([everything], noncurrent({ isDeleteMarker: true, sizeBytes: 0 }), 1e9, "none");
  check([expireAfter(1)], marker({ isOnlyVersion: false }), 1e9, "none");
});

Deno.test("evaluateLifecycle() removes an expired object delete marker only when it is the only version", () => {
  const cleanup = rule({ id: "cleanup", expiration: { expiredObjectDeleteMarker: true } });
  checkDueAt([cleanup], marker({ isOnlyVersion: true }), 3000, "remove-delete-marker@cleanup");
  check([cleanup], marker({ isOnlyVersion: false }), 1e9, "none");
  check([cleanup], current(), 1e9, "none");
  check([rule({ expiration: { expiredObjectDeleteMarker: false } })], marker(), 1e9, "none");
  // AWS: a Days expiration removes an only-version delete marker once the marker is that old.
  checkDueAt([expireAfter(2, "days")], marker(), 8000, "remove-delete-marker@days");
});

Deno.test("evaluateLifecycle() expires noncurrent versions after NoncurrentDays, keeping NewerNoncurrentVersions", () => {
  const keepTwo = rule({ noncurrentVersionExpiration: { noncurrentDays: 1, newerNoncurrentVersions: 2 } });
  check([keepTwo], noncurrent({ newerNoncurrentCount: 0 }), 1e9, "none");
  check([keepTwo], noncurrent({ newerNoncurrentCount: 1 }), 1e9, "none");
  checkDueAt([keepTwo], noncurrent({ newerNoncurrentCount: 2 }), 8000, "expire-noncurrent@rule");
  checkDueAt([keepTwo], noncurrent({ newerNoncurrentCount: 7 }), 8000, "expire-noncurrent@rule");
  // Days count from when the version became noncurrent (5000 ms → due at 8000), not from its creation.
  const plain = rule({ noncurrentVersionExpiration: { noncurrentDays: 1 } });
  checkDueAt([plain], noncurrent(), 8000, "expire-noncurrent@rule");
  checkDueAt([plain], noncurrent({ isDeleteMarker: true, sizeBytes: 0 }), 8000, "expire-noncurrent@rule");
  // Current-version actions never touch noncurrent versions, and noncurrent ones never the current.
  check([expireAfter(1)], noncurrent(), 1e9, "none");
  check([plain], current({ bucketVersioning: "Enabled" }), 1e9, "none");
});

Deno.test("evaluateLifecycle() transitions noncurrent versions, and their expiration wins once due", () => {
  const r = rule({
    noncurrentVersionTransitions: [
      { noncurrentDays: 1, storageClass: "STANDARD_IA" },
      { noncurrentDays: 2, storageClass: "GLACIER", newerNoncurrentVersions: 1 },
    ],
    noncurrentVersionExpiration: { noncurrentDays: 4 },
  });
  checkDueAt([r], noncurrent(), 8000, "transition:STANDARD_IA@rule");
  check([r], noncurrent(), 10_000, "transition:STANDARD_IA@rule");
  check([r], noncurrent({ newerNoncurrentCount: 1 }), 9999, "transition:STANDARD_IA@rule");
  check([r], noncurrent({ newerNoncurrentCount: 1 }), 10_000, "transition:GLACIER@rule");
  check([r], noncurrent(), 14_000, "expire-noncurrent@rule");
  check([moveAfter(0, "GLACIER")], noncurrent(), 1e9, "none");
});

Deno.test("evaluateLifecycle() applies notAccessedTransition from the last read, or creation when unknown", () => {
  const cold = rule({ id: "cold", notAccessedTransition: { days: 2, storageClass: "GLACIER_IR" } });
  checkDueAt([cold], current({ lastAccessMs: null }), 6000, "transition:GLACIER_IR@cold");
  checkDueAt([cold], current({ lastAccessMs: 9000 }), 14_000, "transition:GLACIER_IR@cold");
  checkDueAt([cold], current({ lastAccessMs: 10_000 }), 14_000, "transition:GLACIER_IR@cold");
  // A read recorded before the version existed counts as its creation.
  checkDueAt([cold], current({ lastAccessMs: 500 }), 6000, "transition:GLACIER_IR@cold");
  check([cold], current({ storageClass: "GLACIER_IR" }), 1e9, "none");
  check([cold], noncurrent(), 1e9, "none");
  check([cold, moveAfter(9, "DEEP_ARCHIVE", "deep")], current(), 1e9, "transition:DEEP_ARCHIVE@deep");
});

Deno.test("evaluateLifecycle() rejects noncurrent facts without noncurrentSinceMs, unknown classes, bad days", () => {
  const rules = configuration(expireAfter(1));
  assertThrows(() => evaluateLifecycle(rules, noncurrent({ noncurrentSinceMs: null }), 0, DAY_MS));
  const unknown = current({ storageClass: "REDUCED_REDUNDANCY" as LifecycleStorageClass });
  assertThrows(() => evaluateLifecycle(rules, unknown, 0, DAY_MS));
  assertThrows(() => evaluateLifecycle(rules, current(), 0, 0));
});

Deno.test("evaluateUpload() aborts DaysAfterInitiation days after start, rounded up, by prefix only", () => {
  const abort = (fields: Partial<LifecycleRule>) =>
    rule({ abortIncompleteMultipartUpload: { daysAfterInitiation: 1 }, ...fields });
  const cases: Array<[LifecycleRule, nowMs: number, expected: string]> = [
    [abort({}), 3999, "none"],
    [abort({}), 4000, "abort-upload@rule"],
    [abort({ filter: { prefix: "up/" } }), 4000, "abort-upload@rule"],
    [abort({ filter: { prefix: "down/" } }), 1e9, "none"],
    [abort({ filter: { tags: [ENV_DEV] } }), 1e9, "none"],
    [abort({ filter: { objectSizeLessThan: 10 } }), 1e9, "none"],
    [abort({ status: "Disabled" }), 1e9, "none"],
    [expireAfter(1), 1e9, "none"],
  ];
  const upload = { key: "up/big.bin", initiatedMs: 1500 };
  for (const [r, nowMs, expected] of cases) {
    const action = evaluateUpload(configuration(r), upload, nowMs, DAY_MS);
    assertEquals(
      action.kind === "none" ? "none" : `${action.kind}@${action.ruleId}`,
      expected,
      JSON.stringify(r),
    );
  }
  const slow = rule({ id: "slow", abortIncompleteMultipartUpload: { daysAfterInitiation: 5 } });
  const two = configuration(
    slow,
    rule({ id: "fast", abortIncompleteMultipartUpload: { daysAfterInitiation: 2 } }),
  );
  assertEquals(evaluateUpload(two, upload, 1e9, DAY_MS), {
    kind: "abort-upload",
    ruleId: "fast",
    dueMs: 6000,
  });
  assertEquals(nextUploadEventMs(two, upload, DAY_MS), 6000);
  assertEquals(nextUploadEventMs(configuration(), upload, DAY_MS), null);
});

Deno.test("expirationHeaderOf() names the earliest expiration and its URL-encoded rule id", () => {
  const facts = current({ lastModifiedMs: Date.parse("2012-12-20T15:04:05.000Z") });
  const rules = configuration(
    expireAfter(30, "late rule"),
    expireAfter(2, "picture-deletion-rule"),
    rule({ id: "dated", expiration: { date: "2012-12-25T00:00:00.000Z" } }),
    rule({ id: "disabled", status: "Disabled", expiration: { days: 1 } }),
    moveAfter(0, "GLACIER", "move"),
  );
  const header = 'expiry-date="Sun, 23 Dec 2012 00:00:00 GMT", rule-id="picture-deletion-rule"';
  assertEquals(expirationHeaderOf(rules, facts, AWS_DAY_MS), header);
  const dated = configuration(rule({ id: "dated/rule 1", expiration: { date: "2012-12-21T00:00:00.000Z" } }));
  const datedHeader = 'expiry-date="Fri, 21 Dec 2012 00:00:00 GMT", rule-id="dated%2Frule%201"';
  assertEquals(expirationHeaderOf(dated, facts, AWS_DAY_MS), datedHeader);
  assertEquals(expirationHeaderOf(rules, marker(), AWS_DAY_MS), null);
  assertEquals(expirationHeaderOf(rules, noncurrent(), AWS_DAY_MS), null);
  assertEquals(expirationHeaderOf(configuration(moveAfter(1, "GLACIER")), facts, AWS_DAY_MS), null);
  assertEquals(expirationHeaderOf(configuration(), facts, AWS_DAY_MS), null);
});

Deno.test("nextLifecycleEventMs() is the first time an action becomes due, or null", () => {
  const ladder = configuration(rule({
    transitions: [{ days: 1, storageClass: "STANDARD_IA" }, { days: 3, storageClass: "GLACIER" }],
    expiration: { days: 5 },
  }));
  assertEquals(nextLifecycleEventMs(ladder, current(), DAY_MS), 4000);
  assertEquals(nextLifecycleEventMs(ladder, current({ storageClass: "STANDARD_IA" }), DAY_MS), 8000);
  assertEquals(nextLifecycleEventMs(ladder, current({ storageClass: "DEEP_ARCHIVE" }), DAY_MS), 12_000);
  assertEquals(nextLifecycleEventMs(ladder, marker(), DAY_MS), 14_000);
  assertEquals(nextLifecycleEventMs(ladder, marker({ isOnlyVersion: false }), DAY_MS), null);
  assertEquals(nextLifecycleEventMs(configuration(), current(), DAY_MS), null);
});

/** A small seeded generator (a 32-bit LCG, high bits only), so a failing seed can be replayed. */
function randomSource(seed: number) {
  let state = seed >>> 0;
  const int = (below: number): number => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return Math.floor((state / 2 ** 32) * below);
  };
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { int, pick, chance: (probability: number) => int(1000) < probability * 1000 };
}
type Random = ReturnType<typeof randomSource>;

/** The documented coldness order, restated independently of the evaluator. */
const TIER: Record<LifecycleStorageClass, number> = {
  STANDARD: 0,
  STANDARD_IA: 1,
  ONEZONE_IA: 1,
  INTELLIGENT_TIERING: 1,
  GLACIER_IR: 2,
  GLACIER: 3,
  DEEP_ARCHIVE: 4,
};

/** The documented precedence: permanent deletion > transition (colder first) > creating a delete marker. */
function rankOf(action: LifecycleAction): number {
  if (action.kind === "none") return 0;
  if (action.kind === "transition") return 10 + TIER[action.storageClass];
  return action.kind === "expire-current" && action.createsDeleteMarker ? 1 : 100;
}

const EXPIRED_MARKERS = { expiredObjectDeleteMarker: true };

function randomRule(random: Random, index: number): LifecycleRule {
  const days = () => random.int(6);
  const date = () => new Date(random.int(20) * DAY_MS).toISOString();
  const storageClass = (): TransitionStorageClass => random.pick(TRANSITION_STORAGE_CLASSES);
  const maybe = <T>(probability: number, make: () => T): T | undefined =>
    random.chance(probability) ? make() : undefined;
  return rule({
    id: `r${index}`,
    status: random.chance(0.85) ? "Enabled" : "Disabled",
    filter: {
      prefix: random.pick([undefined, "", "a/", "b/"]),
      tags: maybe(0.2, () => [{ key: "t", value: random.pick(["1", "2"]) }]),
      objectSizeGreaterThan: maybe(0.15, () => random.int(1000)),
      objectSizeLessThan: maybe(0.15, () => 1000 + random.int(1000)),
    },
    expiration: random.pick([undefined, { days: 1 + days() }, { date: date() }, EXPIRED_MARKERS]),
    transitions: Array.from({ length: random.int(3) }, () => ({
      ...(random.chance(0.7) ? { days: days() } : { date: date() }),
      storageClass: storageClass(),
    })),
    noncurrentVersionExpiration: maybe(0.4, () => ({
      noncurrentDays: 1 + days(),
      newerNoncurrentVersions: random.pick([undefined, 1, 2]),
    })),
    noncurrentVersionTransitions: Array.from({ length: random.int(3) }, () => ({
      noncurrentDays: days(),
      newerNoncurrentVersions: random.pick([undefined, 0, 1]),
      storageClass: storageClass(),
    })),
    abortIncompleteMultipartUpload: maybe(0.3, () => ({ daysAfterInitiation: 1 + days() })),
    notAccessedTransition: maybe(0.3, () => ({ days: days(), storageClass: storageClass() })),
  });
}

function randomFacts(random: Random): LifecycleVersionFacts {
  const isCurrent = random.chance(0.6);
  const isDeleteMarker = random.chance(0.25);
  const lastModifiedMs = random.int(20 * DAY_MS);
  return {
    key: random.pick(["a/x", "b/y", "c"]),
    sizeBytes: isDeleteMarker ? 0 : random.int(2000),
    tags: isDeleteMarker || random.chance(0.5) ? [] : [{ key: "t", value: random.pick(["1", "2"]) }],
    isCurrent,
    isDeleteMarker,
    lastModifiedMs,
    noncurrentSinceMs: isCurrent ? null : lastModifiedMs + random.int(10 * DAY_MS),
    newerNoncurrentCount: isCurrent ? 0 : random.int(4),
    isOnlyVersion: isCurrent && random.chance(0.5),
    storageClass: isDeleteMarker ? "STANDARD" : random.pick(["STANDARD", ...TRANSITION_STORAGE_CLASSES]),
    lastAccessMs: random.chance(0.5) ? null : lastModifiedMs + random.int(10 * DAY_MS),
    bucketVersioning: isCurrent && !isDeleteMarker
      ? random.pick(["Unversioned", "Enabled", "Suspended"])
      : "Enabled",
  };
}

Deno.test("evaluateLifecycle() on random rules, versions and times: stable, monotonic, never warmer", () => {
  const seed = crypto.getRandomValues(new Uint32Array(1))[0];
  const random = randomSource(seed);
  for (let sample = 0; sample < 2000; sample++) {
    const rules = configuration(
      ...Array.from({ length: 1 + random.int(4) }, (_, i) => randomRule(random, i)),
    );
    const facts = randomFacts(random);
    const context = `seed ${seed}, sample ${sample}: ${JSON.stringify({ rules, facts })}`;
    const earlierMs = random.int(60 * DAY_MS);
    const laterMs = earlierMs + random.int(30 * DAY_MS);
    const earlier = evaluateLifecycle(rules, facts, earlierMs, DAY_MS);
    const later = evaluateLifecycle(rules, facts, laterMs, DAY_MS);

    assertEquals(evaluateLifecycle(rules, facts, earlierMs, DAY_MS), earlier, `stable, ${context}`);
    if (earlier.kind !== "none") assert(earlier.dueMs <= earlierMs, `due in the future, ${context}`);
    if (facts.isDeleteMarker) assert(earlier.kind !== "transition", `marker transitioned, ${context}`);
    assert(rankOf(later) >= rankOf(earlier), `${nameOf(earlier)} then ${nameOf(later)}, ${context}`);

    // Nothing is due before nextLifecycleEventMs, and something is from then on.
    const nextMs = nextLifecycleEventMs(rules, facts, DAY_MS);
    for (const nowMs of [earlierMs, laterMs, ...(nextMs === null ? [] : [nextMs - 1, nextMs])]) {
      const due = evaluateLifecycle(rules, facts, nowMs, DAY_MS).kind !== "none";
      assertEquals(due, nextMs !== null && nowMs >= nextMs, `next ${nextMs} at ${nowMs}, ${context}`);
    }

    // Once a transition is done, no later transition goes back to a warmer class or sideways.
    if (earlier.kind === "transition") {
      const moved = { ...facts, storageClass: earlier.storageClass };
      const after = evaluateLifecycle(rules, moved, laterMs, DAY_MS);
      if (after.kind === "transition") {
        assert(TIER[after.storageClass] > TIER[earlier.storageClass], `moved warmer, ${context}`);
      }
    }

    const upload = { key: facts.key, initiatedMs: facts.lastModifiedMs };
    const abortMs = nextUploadEventMs(rules, upload, DAY_MS);
    const aborts = evaluateUpload(rules, upload, laterMs, DAY_MS).kind !== "none";
    assertEquals(aborts, abortMs !== null && laterMs >= abortMs, `upload, ${context}`);
  }
});
