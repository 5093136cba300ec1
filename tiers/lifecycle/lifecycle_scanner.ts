/**
 * The lifecycle executor: walks every bucket that has a lifecycle configuration, a bounded batch of keys per
 * round with its position in the metadata store, asks the evaluator what each version needs now, and does
 * it — move versions to colder storage classes (`ObjectTransitions`), expire current versions (delete, or a
 * delete marker in a versioned bucket), delete expired noncurrent versions and expired delete markers, abort
 * incomplete multipart uploads. One gateway at a time runs it, under a metadata lease. Every action is a
 * commit that checks the version is still the one judged (by its data id, or its version id), so lifecycle
 * never touches data a client wrote meanwhile. `NotAccessedTransition` rules judge current versions by their
 * last recorded read (`AccessTracker`), looked up per batch of versions, and only in buckets with such a rule.
 */
import {
  type BucketRecord,
  type Clock,
  type Counter,
  isStoreError,
  type Logger,
  type MetadataCatalog,
  type Metrics,
  type ObjectHead,
} from "../../storage/mod.ts";
import type { BucketService } from "../bucket_service.ts";
import type { MultipartService } from "../multipart_service.ts";
import type { ObjectService } from "../object_service.ts";
import type { MetadataLease } from "../metadata_lease.ts";
import type { ObjectTransitions } from "../object_transitions.ts";
import type { AccessTracker } from "../access_tracker.ts";
import {
  type BucketVersioning,
  evaluateLifecycle,
  evaluateUpload,
  type LifecycleAction,
  type LifecycleVersionFacts,
} from "./lifecycle_evaluator.ts";
import { versionFacts } from "./lifecycle_facts.ts";
import type { LifecycleConfiguration, LifecycleRule } from "./lifecycle_rules.ts";

/** What the scanner needs. */
export interface LifecycleScannerOptions {
  readonly catalog: MetadataCatalog;
  readonly buckets: BucketService;
  readonly objects: ObjectService;
  readonly multipart: MultipartService;
  readonly lease: MetadataLease;
  /** Moves versions between storage classes; without it transitions are counted, not performed. */
  readonly transitions?: ObjectTransitions;
  /** Last reads of versions' data, for `NotAccessedTransition`. */
  readonly access: Pick<AccessTracker, "lastAccessMany">;
  readonly clock: Clock;
  /** The length of a lifecycle day (86 400 000 as on AWS; seconds in tests). */
  readonly dayMs: number;
  /** Versions (or keys of an unversioned bucket) looked at per round. */
  readonly versionsPerRound: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** One version of a key, with what the evaluator needs to know about its neighbours. */
interface VersionInBucket {
  readonly head: ObjectHead;
  readonly facts: LifecycleVersionFacts;
}

/** Runs lifecycle rules. */
export class LifecycleScanner {
  readonly #options: LifecycleScannerOptions;
  readonly #expiredObjects: Counter;
  readonly #expiredBytes: Counter;
  readonly #markersRemoved: Counter;
  readonly #uploadsAborted: Counter;
  readonly #transitionsWaiting: Counter;
  readonly #transitioned: Counter;
  readonly #transitionedBytes: Counter;
  readonly #passes: Counter;

  constructor(options: LifecycleScannerOptions) {
    this.#options = options;
    const { metrics } = options;
    this.#expiredObjects = metrics.counter(
      "objstore_lifecycle_expired_objects_total",
      "Versions lifecycle expired (deleted, or given a delete marker in a versioned bucket).",
    );
    this.#expiredBytes = metrics.counter(
      "objstore_lifecycle_expired_bytes_total",
      "Bytes of the versions lifecycle expired.",
    );
    this.#markersRemoved = metrics.counter(
      "objstore_lifecycle_delete_markers_removed_total",
      "Expired delete markers lifecycle removed.",
    );
    this.#uploadsAborted = metrics.counter(
      "objstore_lifecycle_uploads_aborted_total",
      "Incomplete multipart uploads lifecycle aborted.",
    );
    this.#transitionsWaiting = metrics.counter(
      "objstore_lifecycle_transitions_not_performed_total",
      "Transitions that fell due but could not be performed (no archive tier for a Glacier class).",
    );
    this.#transitioned = metrics.counter(
      "objstore_lifecycle_transitioned_objects_total",
      "Versions lifecycle moved to another storage class.",
    );
    this.#transitionedBytes = metrics.counter(
      "objstore_lifecycle_transitioned_bytes_total",
      "Bytes lifecycle moved to another tier (a change of class within a tier moves none).",
    );
    this.#passes = metrics.counter("objstore_lifecycle_passes_total", "Completed passes over every bucket.");
  }

  /** One round under the lease: the next batch of versions; returns how many actions it took. */
  async runOnce(): Promise<number> {
    if (!await this.#options.lease.acquire()) return 0;
    const { catalog, versionsPerRound } = this.#options;
    const stored = await catalog.getLifecycleCursor();
    let cursor = stored?.record ?? { v: 1 as const, bucket: "", afterKey: null };
    let budget = versionsPerRound;
    let actions = 0;
    while (budget > 0) {
      const bucket = await this.#bucketFrom(cursor.bucket);
      if (bucket === null) {
        this.#passes.inc();
        cursor = { v: 1, bucket: "", afterKey: null };
        break;
      }
      const configuration = await this.#options.buckets.getLifecycle(bucket.name);
      if (configuration === null) {
        cursor = { v: 1, bucket: bucket.name + "\u0000", afterKey: null }; // the buckets after this one
        continue;
      }
      if (cursor.bucket !== bucket.name || cursor.afterKey === null) {
        actions += await this.#abortUploads(bucket, configuration);
      }
      const from = cursor.bucket === bucket.name ? cursor.afterKey : null;
      const step = await this.#scanKeys(bucket, configuration, from, budget);
      actions += step.actions;
      budget -= Math.max(1, step.versions);
      cursor = step.lastKey === null
        ? { v: 1, bucket: bucket.name + "\u0000", afterKey: null }
        : { v: 1, bucket: bucket.name, afterKey: step.lastKey };
    }
    await catalog.transaction().putLifecycleCursor(cursor).commit();
    return actions;
  }

  /** Bucket `name` if it exists, else the first bucket after it ("": the first of all), or null. */
  async #bucketFrom(name: string): Promise<BucketRecord | null> {
    const { catalog } = this.#options;
    if (name !== "") {
      const exact = await catalog.getBucket(name);
      if (exact !== null) return exact.record;
    }
    const [next] = await catalog.listBuckets(1, name === "" ? undefined : name);
    return next ?? null;
  }

  /**
   * Evaluates up to `budget` versions of `bucket` after key `afterKey` (whole keys: a key's versions are
   * judged together); `lastKey` is where the next batch starts, null at the end of the bucket.
   */
  async #scanKeys(
    bucket: BucketRecord,
    configuration: LifecycleConfiguration,
    afterKey: string | null,
    budget: number,
  ): Promise<{ versions: number; actions: number; lastKey: string | null }> {
    const groups = await this.#versionGroups(bucket, afterKey, budget);
    if (configuration.rules.some(readsMatter)) await this.#addLastAccess(groups.keys);
    let actions = 0;
    let versions = 0;
    for (const group of groups.keys) {
      versions += group.length;
      actions += await this.#applyToKey(bucket, configuration, group);
    }
    return { versions, actions, lastKey: groups.complete ? null : groups.keys.at(-1)?.[0].head.key ?? null };
  }

  /**
   * Puts their last recorded read into the facts of current versions (a batch of lookups for the whole
   * page; noncurrent versions and delete markers are never judged by reads).
   */
  async #addLastAccess(keys: VersionInBucket[][]): Promise<void> {
    const current = keys.flatMap((versions) => versions[0]?.facts.isDeleteMarker === false ? [versions] : []);
    if (current.length === 0) return;
    const times = await this.#options.access.lastAccessMany(
      current.map((versions) => versions[0].head.dataId),
    );
    for (const versions of current) {
      const { head, facts } = versions[0];
      versions[0] = { head, facts: { ...facts, lastAccessMs: times.get(head.dataId) ?? null } };
    }
  }

  /** The versions of the next keys after `afterKey`, newest first per key, about `budget` in all. */
  async #versionGroups(
    bucket: BucketRecord,
    afterKey: string | null,
    budget: number,
  ): Promise<{ keys: VersionInBucket[][]; complete: boolean }> {
    const { catalog } = this.#options;
    const versioning = bucket.versioning as BucketVersioning;
    const fromKey = afterKey === null ? undefined : afterKey + "\u0000";
    if (versioning === "Unversioned") {
      const keys: VersionInBucket[][] = [];
      for await (const head of catalog.listObjects(bucket.name, { fromKey }, budget)) {
        keys.push([{ head, facts: versionFacts(head, [head], 0, versioning) }]);
      }
      return { keys, complete: keys.length < budget };
    }
    const heads: ObjectHead[] = [];
    const from = fromKey === undefined ? undefined : { key: fromKey };
    for await (const { head } of catalog.listVersions(bucket.name, from, undefined, budget + 1)) {
      heads.push(head);
    }
    const complete = heads.length <= budget;
    const byKey: ObjectHead[][] = [];
    for (const head of heads) {
      const last = byKey.at(-1);
      if (last !== undefined && last[0].key === head.key) last.push(head);
      else byKey.push([head]);
    }
    // The last key may continue beyond this page: read it whole, or leave it to the next batch.
    if (!complete && byKey.length > 0) {
      const lastKey = byKey.at(-1)![0].key;
      if (byKey.length > 1) byKey.pop();
      else {
        byKey[0] = [];
        for await (
          const { head } of catalog.listVersions(bucket.name, undefined, undefined, 10_000, lastKey)
        ) {
          byKey[0].push(head);
        }
      }
    }
    const keys = byKey.map((versions) =>
      versions.map((head, index) => ({ head, facts: versionFacts(head, versions, index, versioning) }))
    );
    return { keys, complete };
  }

  /** Takes what each version of one key needs; a change to the current version ends the key's turn. */
  async #applyToKey(
    bucket: BucketRecord,
    configuration: LifecycleConfiguration,
    versions: readonly VersionInBucket[],
  ): Promise<number> {
    const { clock, dayMs } = this.#options;
    const applicable = this.#options.transitions === undefined
      ? withoutTransitionRules(configuration)
      : configuration;
    let actions = 0;
    for (const { head, facts } of versions) {
      const now = clock.nowMs();
      const action = evaluateLifecycle(applicable, facts, now, dayMs);
      if (action.kind === "none") {
        if (
          applicable !== configuration &&
          evaluateLifecycle(configuration, facts, now, dayMs).kind === "transition"
        ) {
          this.#transitionsWaiting.inc();
        }
        continue;
      }
      if (await this.#perform(bucket.name, head, facts.isCurrent, action)) actions++;
      if (facts.isCurrent && action.kind !== "transition") break;
    }
    return actions;
  }

  /** Performs one action on `head`; false when the version changed meanwhile (nothing done). */
  async #perform(
    bucket: string,
    head: ObjectHead,
    isCurrent: boolean,
    action: LifecycleAction,
  ): Promise<boolean> {
    const { objects, logger } = this.#options;
    try {
      switch (action.kind) {
        case "transition": {
          const outcome = await this.#options.transitions!.transition(
            bucket,
            head,
            isCurrent,
            action.storageClass,
          );
          if (outcome === "changed" || outcome === "too-small") return false;
          this.#transitioned.inc();
          if (outcome === "moved") this.#transitionedBytes.inc(head.sizeBytes);
          break;
        }
        case "expire-current":
          await objects.delete(bucket, head.key, { ifDataId: head.dataId });
          this.#expiredObjects.inc();
          this.#expiredBytes.inc(head.sizeBytes);
          break;
        case "expire-noncurrent":
        case "remove-delete-marker":
          await objects.delete(bucket, head.key, undefined, head.versionId);
          if (head.deleteMarker === true) this.#markersRemoved.inc();
          else {
            this.#expiredObjects.inc();
            this.#expiredBytes.inc(head.sizeBytes);
          }
          break;
        default:
          return false;
      }
    } catch (error) {
      if (isStoreError(error, "precondition_failed") || isStoreError(error, "object_not_found")) return false;
      if (isStoreError(error, "version_not_found") || isStoreError(error, "conflict")) return false;
      if (isStoreError(error, "invalid_storage_class")) {
        this.#transitionsWaiting.inc();
        return false;
      }
      throw error;
    }
    logger.info("lifecycle", { action: action.kind, rule: action.ruleId, bucket, key: head.key });
    return true;
  }

  /** Aborts the bucket's incomplete multipart uploads that a rule says are too old. */
  async #abortUploads(bucket: BucketRecord, configuration: LifecycleConfiguration): Promise<number> {
    const { catalog, multipart, clock, dayMs } = this.#options;
    if (!configuration.rules.some((rule) => rule.abortIncompleteMultipartUpload !== undefined)) return 0;
    let aborted = 0;
    for await (const upload of catalog.listUploads(bucket.name, undefined, undefined, 1000)) {
      const action = evaluateUpload(configuration, upload, clock.nowMs(), dayMs);
      if (action.kind === "none") continue;
      try {
        await multipart.abort(bucket.name, upload.key, upload.uploadId);
      } catch (error) {
        if (isStoreError(error, "upload_not_found")) continue;
        throw error;
      }
      this.#uploadsAborted.inc();
      aborted++;
    }
    return aborted;
  }
}

/** The configuration without its transition actions (until the archive tier exists, nothing performs them). */
function withoutTransitionRules(configuration: LifecycleConfiguration): LifecycleConfiguration {
  return {
    rules: configuration.rules.map((rule) => ({
      ...rule,
      transitions: [],
      noncurrentVersionTransitions: [],
      notAccessedTransition: undefined,
    })),
  };
}

/** True when `rule` judges versions by their last read (so the scanner must look reads up). */
function readsMatter(rule: LifecycleRule): boolean {
  return rule.status === "Enabled" && rule.notAccessedTransition !== undefined;
}
