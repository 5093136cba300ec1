/**
 * Lifecycle time arithmetic. AWS computes a Days action's time as the start time (creation, or the moment a
 * version became noncurrent) plus the number of days, rounded up to the next midnight UTC. With a
 * configurable day length, "midnight" is the next multiple of `dayMs` since the Unix epoch (86 400 000 ms
 * makes it real midnight UTC; tests use a few seconds). A time that already falls on a midnight stays there.
 */
import { assert } from "../../storage/mod.ts";

/** The length of a lifecycle day on AWS. */
export const AWS_DAY_MS = 86_400_000;

/** Fails on a day length that is not a positive whole number of milliseconds (a bug of the caller). */
export function assertDayMs(dayMs: number): void {
  assert(
    Number.isSafeInteger(dayMs) && dayMs > 0,
    `Expected a lifecycle day length of a positive whole number of ms, got ${dayMs}`,
  );
}

/** The first midnight (multiple of `dayMs` since the epoch) at or after `ms`. */
export function nextMidnightMs(ms: number, dayMs: number): number {
  assertDayMs(dayMs);
  return Math.ceil(ms / dayMs) * dayMs;
}

/** When a Days action is due: `startMs + days` days, rounded up to the next midnight. */
export function dueAfterDaysMs(startMs: number, days: number, dayMs: number): number {
  assert(Number.isSafeInteger(days) && days >= 0, `Expected a whole number of days >= 0, got ${days}`);
  return nextMidnightMs(startMs + days * dayMs, dayMs);
}

/** When a Date action is due: the instant of its ISO 8601 date (the action applies at and after it). */
export function dateMs(isoDate: string): number {
  const ms = Date.parse(isoDate);
  assert(Number.isFinite(ms), `Expected an ISO 8601 lifecycle date, got ${JSON.stringify(isoDate)}`);
  return ms;
}
