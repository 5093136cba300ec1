/**
 * The contract between a metadata store's change feed and the gateway's coherent caches (heads, buckets),
 * for several gateways sharing a networked metadata store. Nothing here does I/O: a networked store's adapter
 * will implement `HeadChangeFeed` and drive every `CoherentCache` of its gateway through `HeadChangeTarget`.
 * With the embedded Deno KV the gateway is the only writer and none of this is used.
 *
 * The invariant: a gateway never serves a head older than the last acknowledged write. It holds because
 * (writer side) a commit is acknowledged only once every gateway holding a coherence lease has acknowledged
 * the change on the feed or that lease has expired, and (gateway side) a cache serves hits only while its
 * lease is valid and its feed has applied every change up to the lease's versionstamp. Protocol and proof
 * sketch: docs/implementation-guide.md, "Coherent caches with several gateways".
 */

/**
 * A coherence lease as the gateway holds it: the metadata store recorded the lease at `versionstamp`, so
 * every commit after it waits for this gateway (its feed acknowledgement or the lease's end) before it is
 * acknowledged, and every commit up to it reaches the gateway through the feed.
 */
export interface CoherenceLease {
  /** When the lease ends, on the cache's clock; compute it with `coherenceLeaseExpiryMs`. */
  readonly expiresMs: number;
  /** The store's versionstamp when it recorded the grant (or renewal). */
  readonly versionstamp: string;
}

/** What a change feed drives in the gateway: implemented by `CoherentCache`. */
export interface HeadChangeTarget<V> {
  /**
   * Applies a committed state of `key` (null: deleted) delivered by the feed, possibly late or out of
   * order: an entry is never replaced by an older versionstamp, and reads of the store that started
   * before this call do not fill `key`.
   */
  applyChange(key: string, value: V | null, versionstamp: string): void;
  /**
   * Records that every change with a versionstamp up to `versionstamp` has been passed to `applyChange`
   * (the feed's progress). The gateway acknowledges that versionstamp on the feed only after this call.
   */
  applyProgress(versionstamp: string): void;
  /** The feed's progress so far: where a feed that broke off resumes. */
  readonly appliedVersionstamp: string;
  /** Takes a granted or renewed lease; hits under it start once the feed has reached its versionstamp. */
  renewLease(lease: CoherenceLease): void;
  /**
   * Drops every entry and every read in flight, and restarts the feed's progress at `versionstamp`: for a
   * feed that cannot resume from `appliedVersionstamp` (its history was compacted).
   */
  resetFeed(versionstamp: string): void;
}

/** A grant or renewal of a coherence lease, as the metadata store answers it. */
export interface CoherenceLeaseGrant {
  /** The versionstamp at which the store recorded the lease. */
  readonly versionstamp: string;
  /** How long the store keeps treating the gateway as a holder, from when it recorded the lease. */
  readonly durationMs: number;
}

/**
 * What a networked metadata store must offer the gateway for coherent caching (not built yet; see the
 * implementation guide). Versionstamps are compared as strings, so they must sort in commit order (Deno
 * KV's do; an etcd revision would be zero-padded to 20 digits).
 */
export interface HeadChangeFeed<V> {
  /** Grants or renews `gatewayId`'s coherence lease; writers committing after it wait for that gateway. */
  grantLease(gatewayId: string, durationMs: number): Promise<CoherenceLeaseGrant>;
  /**
   * Delivers every change committed after `afterVersionstamp` to `target`, with progress, until `signal`
   * aborts; rejects if the history since `afterVersionstamp` is gone (then `resetFeed` and follow again).
   */
  follow(afterVersionstamp: string, target: HeadChangeTarget<V>, signal: AbortSignal): Promise<void>;
  /** Tells writers that `gatewayId` has applied every change up to `versionstamp`. */
  acknowledge(gatewayId: string, versionstamp: string): Promise<void>;
}

/**
 * The end of a lease on the gateway's clock, conservatively (Gray & Cheriton): counted from when the request
 * was sent (the store started the term later) and shortened by the largest clock rate difference between
 * gateway and store, so the gateway stops serving before any writer stops waiting for it.
 */
export function coherenceLeaseExpiryMs(
  requestSentAtMs: number,
  grantedDurationMs: number,
  maxClockDriftRatio = 0.01,
): number {
  return requestSentAtMs + grantedDurationMs * (1 - maxClockDriftRatio);
}
