/**
 * Test-only builders of `<LifecycleConfiguration>` documents and the check that a document is refused with
 * an S3 error code and message, shared by the lifecycle XML tests.
 */
import { assert, assertEquals } from "../tests/support/asserts.ts";
import { assertThrows } from "../tests/support/throws_test_support.ts";
import type { LifecycleDocument } from "../tiers/lifecycle/mod.ts";
import { parseLifecycleConfiguration } from "./lifecycle_xml.ts";
import { S3Error, type S3ErrorCode } from "./s3_errors.ts";

/** A document of `rules` (XML fragments). */
export function lifecycle(...rules: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>` +
    `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${
      rules.join("")
    }</LifecycleConfiguration>`;
}

/** A rule with `body` (XML) and ID `id`, status Enabled unless `body` has a `<Status>`. */
export function rule(body: string, id = "r1"): string {
  const status = body.includes("<Status>") ? "" : "<Status>Enabled</Status>";
  return `<Rule><ID>${id}</ID>${status}${body}</Rule>`;
}

/** An expiration after 30 days. */
export const EXPIRE_30 = "<Expiration><Days>30</Days></Expiration>";

/** A filter `<Tag>`. */
export function tag(key: string, value = "v"): string {
  return `<Tag><Key>${key}</Key><Value>${value}</Value></Tag>`;
}

/** A `<Transition>` after `when` days (or on date `when` with `unit` Date). */
export function transition(when: number | string, storageClass: string, unit = "Days"): string {
  return `<Transition><${unit}>${when}</${unit}><StorageClass>${storageClass}</StorageClass></Transition>`;
}

/** A `<NoncurrentVersionTransition>`. */
export function noncurrent(days: number, storageClass: string): string {
  return `<NoncurrentVersionTransition><NoncurrentDays>${days}</NoncurrentDays>` +
    `<StorageClass>${storageClass}</StorageClass></NoncurrentVersionTransition>`;
}

/** Parses `text` with generated IDs `generated-1`, `generated-2`, … */
export function parseWithIds(text: string): LifecycleDocument {
  let next = 0;
  return parseLifecycleConfiguration(text, { newRuleId: () => `generated-${++next}` });
}

/** One document that must be refused. */
export interface RefusedCase {
  readonly name: string;
  readonly xml: string;
  readonly code: S3ErrorCode;
  /** Text the error message must contain. */
  readonly fragment: string;
}

/** Checks that parsing `refused.xml` throws its S3 error code with its message fragment. */
export function assertRefused(refused: RefusedCase): void {
  const { name, xml, code, fragment } = refused;
  const error = assertThrows(() => parseWithIds(xml), `${name}: expected ${code}, but it was accepted`);
  assert(error instanceof S3Error, `${name}: expected an S3Error, got ${error}`);
  assertEquals(error.code, code, `${name}: ${error.message}`);
  assert(error.message.includes(fragment), `${name}: "${error.message}" lacks "${fragment}"`);
}
