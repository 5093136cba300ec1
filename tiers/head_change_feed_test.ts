/**
 * The coherence-lease protocol of `head_change_feed.ts`, simulated with several gateways over a fake metadata
 * store whose change feed delivers late and out of order: no cache hit is ever older than the last
 * acknowledged write.
 */
import { assert, assertEquals } from "../tests/support/asserts.ts";
import { ManualClock } from "../storage/mod.ts";
import { coherenceLeaseExpiryMs, CoherentCache } from "./coherent_cache.ts";

const LEASE_DURATION_MS = 200;
const KEYS = ["a", "b", "c"];

/** Versionstamps sort like Deno KV's: the revision zero-padded to 20 digits. */
const stamp = (revision: number) => String(revision).padStart(20, "0");

/** A small seeded generator (mulberry32), so a failing run can be replayed. */
function randomSource(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

/**
 * A committed state. Values carry the revision they are as of, so a hit can be checked: `revision` for a
 * put, `-revision` for a delete, and `-r` for "absent when the store was read at revision r".
 */
interface Change {
  readonly key: string;
  readonly value: number;
  readonly revision: number;
}

/** One gateway: its cache, the changes its feed holds back, and its reads of the store in flight. */
interface Gateway {
  readonly cache: CoherentCache<number>;
  connected: boolean;
  inbox: Change[];
  delivered: Set<number>;
  progress: number;
  reads: { key: string; ticket: number; found?: { value: number; versionstamp: string } }[];
}

/** What a run saw: hits older than the last acknowledged write, hits in all, and acknowledged writes. */
interface Outcome {
  readonly staleHits: number;
  readonly hits: number;
  readonly acknowledged: number;
}

/** Runs `steps` random actions of 3 gateways; `leased` false is a cache that ignores the protocol. */
function simulate(seed: number, steps: number, leased: boolean): Outcome {
  const random = randomSource(seed);
  const clock = new ManualClock(0);
  let revision = 0;
  const data = new Map<string, Change>();
  const history: Change[] = [];
  const leases = new Map<Gateway, number>(); // the store's view: gateway → lease end
  const acks = new Map<Gateway, number>();
  let unacknowledged: Change[] = [];
  const lastAcknowledged = new Map<string, Change>();
  let staleHits = 0, hits = 0, acknowledged = 0;

  const gateways: Gateway[] = [0, 1, 2].map(() => ({
    cache: new CoherentCache<number>(2, { leased, clock }),
    connected: true,
    inbox: [],
    delivered: new Set(),
    progress: 0,
    reads: [],
  }));
  const pick = <T>(items: T[]): T => items[random(items.length)];

  const checkHit = (key: string, value: number | null) => {
    hits++;
    const last = lastAcknowledged.get(key);
    if (value === null || Math.abs(value) < (last?.revision ?? 0)) staleHits++;
  };

  // Writer side: a commit is acknowledged once every lease holder has acknowledged it or its lease ended.
  const acknowledgeWrites = () => {
    const now = clock.nowMs();
    unacknowledged = unacknowledged.filter((change) => {
      for (const [gateway, endsMs] of leases) {
        if (endsMs > now && (acks.get(gateway) ?? 0) < change.revision) return true;
      }
      const last = lastAcknowledged.get(change.key);
      if (last === undefined || last.revision < change.revision) lastAcknowledged.set(change.key, change);
      acknowledged++;
      return false;
    });
  };

  // Each action with a weight: the feed delivers faster than writes arrive, as a live feed must.
  const actions: [number, () => void][] = [
    [1, () => { // a gateway commits a write and observes it, before its acknowledgement
      const writer = pick(gateways);
      const key = pick(KEYS);
      revision++;
      const change = { key, value: random(5) === 0 ? -revision : revision, revision };
      data.set(key, change);
      history.push(change);
      for (const gateway of gateways) if (gateway.connected) gateway.inbox.push(change);
      writer.cache.observe(key, change.value, stamp(revision));
      unacknowledged.push(change);
    }],
    [4, () => { // the feed delivers one held change, in any order, then its progress and the gateway's ack
      const gateway = pick(gateways);
      if (gateway.inbox.length === 0) return;
      const [change] = gateway.inbox.splice(random(gateway.inbox.length), 1);
      gateway.cache.applyChange(change.key, change.value, stamp(change.revision));
      gateway.delivered.add(change.revision);
      while (gateway.delivered.has(gateway.progress + 1)) gateway.delivered.delete(++gateway.progress);
      gateway.cache.applyProgress(stamp(gateway.progress));
      acks.set(gateway, Number(gateway.cache.appliedVersionstamp));
    }],
    [1, () => clock.advance(random(40))],
    [1, () => { // a gateway renews its lease; a feed dropped meanwhile resumes (or restarts) from the store
      if (!leased) return;
      const gateway = pick(gateways);
      const sentAtMs = clock.nowMs();
      leases.set(gateway, sentAtMs + LEASE_DURATION_MS);
      if (!gateway.connected) {
        gateway.connected = true;
        if (random(2) === 0) {
          gateway.inbox = history.filter((change) => change.revision > gateway.progress);
        } else {
          gateway.progress = revision;
          gateway.cache.resetFeed(stamp(revision));
        }
      }
      const expiresMs = coherenceLeaseExpiryMs(sentAtMs, LEASE_DURATION_MS);
      gateway.cache.renewLease({ expiresMs, versionstamp: stamp(revision) });
    }],
    [1, () => { // the store drops the feed of a gateway whose lease has ended
      const gateway = pick(gateways);
      if ((leases.get(gateway) ?? 0) > clock.nowMs()) return;
      gateway.connected = false;
      gateway.inbox = [];
      gateway.delivered.clear();
    }],
    [3, () => { // a GET: a hit is checked, a miss starts a read of the store
      const gateway = pick(gateways);
      const key = pick(KEYS);
      const cached = gateway.cache.get(key);
      if (cached !== undefined) checkHit(key, cached);
      else gateway.reads.push({ key, ticket: gateway.cache.beginRead() });
    }],
    [2, () => { // a read reaches the store: an absent key gets the read's revision as its versionstamp
      const read = pick(gateways).reads.find((read) => read.found === undefined);
      if (read === undefined) return;
      const change = data.get(read.key);
      read.found = change === undefined || change.value < 0
        ? { value: -revision, versionstamp: stamp(revision) }
        : { value: change.value, versionstamp: stamp(change.revision) };
    }],
    [2, () => { // a read that reached the store fills the cache
      const gateway = pick(gateways);
      const index = gateway.reads.findIndex((read) => read.found !== undefined);
      if (index < 0) return;
      const [read] = gateway.reads.splice(index, 1);
      gateway.cache.fill(read.key, read.found!.value, read.found!.versionstamp, read.ticket);
    }],
  ];
  const weighted = actions.flatMap(([weight, action]) => Array<() => void>(weight).fill(action));
  for (let step = 0; step < steps; step++) {
    pick(weighted)();
    acknowledgeWrites();
  }
  return { staleHits, hits, acknowledged };
}

Deno.test("coherence leases: no hit is older than the last acknowledged write, with a late, unordered feed", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const outcome = simulate(seed, 4_000, true);
    assertEquals(outcome.staleHits, 0, `seed ${seed}`);
    assert(outcome.hits > 100 && outcome.acknowledged > 100, `seed ${seed}: ${JSON.stringify(outcome)}`);
  }
});

Deno.test("coherence leases: the same run without leases serves stale hits (the simulation can see them)", () => {
  let staleHits = 0;
  for (let seed = 1; seed <= 20; seed++) staleHits += simulate(seed, 4_000, false).staleHits;
  assert(staleHits > 0, "a cache without leases never served a stale hit: the simulation checks nothing");
});

Deno.test("coherenceLeaseExpiryMs() counts from the request and gives up the clock drift allowance", () => {
  assertEquals(coherenceLeaseExpiryMs(1_000, 10_000), 10_900);
  assertEquals(coherenceLeaseExpiryMs(1_000, 10_000, 0), 11_000);
});
