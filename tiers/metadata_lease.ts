/**
 * A lease in the metadata store, so that a background job runs on one gateway at a time even when several
 * share the metadata: a record names the holder and when the lease ends. The holder renews it on every
 * round; another gateway takes it only once it has ended (the holder died or stopped). Taking and renewing
 * are commits that check the record did not change, so two gateways can never both hold it.
 */
import { type Clock, type MetadataCatalog, metaKeys } from "../storage/mod.ts";

/** What a lease needs. */
export interface MetadataLeaseOptions {
  readonly catalog: MetadataCatalog;
  readonly clock: Clock;
  /** The job the lease guards (`lifecycle`). */
  readonly name: string;
  /** Identifies this gateway process. */
  readonly holder: string;
  /** How long a taken or renewed lease lasts. */
  readonly durationMs: number;
}

/** One named lease, as one gateway sees it. */
export class MetadataLease {
  readonly #options: MetadataLeaseOptions;

  constructor(options: MetadataLeaseOptions) {
    this.#options = options;
  }

  /** Takes or renews the lease; true when this gateway holds it for the next `durationMs`. */
  async acquire(): Promise<boolean> {
    const { catalog, clock, name, holder, durationMs } = this.#options;
    const current = await catalog.getLease(name);
    const now = clock.nowMs();
    if (current !== null && current.record.holder !== holder && current.record.expiresMs > now) return false;
    const committed = await catalog.transaction()
      .check(metaKeys.lease(name), current?.versionstamp ?? null)
      .putLease(name, { v: 1, holder, expiresMs: now + durationMs })
      .commit();
    return committed !== null;
  }

  /** Gives the lease up (when this gateway holds it), so another can take it at once. */
  async release(): Promise<void> {
    const { catalog, clock, name, holder } = this.#options;
    const current = await catalog.getLease(name);
    if (current === null || current.record.holder !== holder) return;
    await catalog.transaction()
      .check(metaKeys.lease(name), current.versionstamp)
      .putLease(name, { v: 1, holder, expiresMs: clock.nowMs() })
      .commit();
  }
}
