/**
 * Durability model of one placement group (the k + m workers that hold the shards of an object): a
 * continuous-time Markov chain on the shards lost at once, absorbing when more than m are lost. Workers fail
 * independently with exponential lifetimes (rate λ from an annual failure rate) and are repaired at rate
 * μ = 1 / MTTR, MTTR being detection delay plus rebuild time. Optionally whole zones are destroyed at once
 * (a zone holds up to ⌈(k + m) / zones⌉ shards of an object) and come back after a restore time.
 *
 * Rates in one chain differ by six orders of magnitude and more (λ ≈ 10⁻⁶ per hour, μ ≈ 1 per hour), so both
 * computations avoid subtracting nearly equal numbers: the mean time to data loss (MTTDL) by state reduction
 * in the manner of Grassmann, Taksar and Heyman (only sums and products of non-negative numbers), and the
 * probability of loss within a time by uniformization of a short step followed by repeated squaring (again
 * only non-negative terms). Pure computation: no I/O, no clock. `bench/durability_tables.ts` applies it to the
 * measured repair figures and prints the tables of docs/durability.md.
 */
/** Hours in a (Julian) year. */
export const HOURS_PER_YEAR = 8766;

/** One placement group: code, failure and repair parameters. Times in hours. */
export interface GroupModel {
  readonly dataShards: number;
  readonly parityShards: number;
  /** Fraction of workers whose shards are destroyed per year (0.02 = 2 %); exponential lifetimes. */
  readonly annualFailureRate: number;
  /** Mean time from a worker's loss to its shards being back: detection plus rebuild. Infinity: never. */
  readonly mttrHours: number;
  /** `serial` (default): one lost worker repaired at a time; `parallel`: each independently. */
  readonly repair?: "serial" | "parallel";
  /** Zones the group spreads over (default 3); a zone holds up to ⌈(k + m) / zones⌉ shards. */
  readonly zones?: number;
  /** Destructive losses per zone per year, every shard in the zone gone at once (default 0). */
  readonly zoneLossesPerYear?: number;
  /** Mean time until a lost zone's shards are back (default 720 h). */
  readonly zoneRestoreHours?: number;
}

/** A continuous-time chain with one absorbing state (data loss): rates per hour; state 0 is the start. */
export interface AbsorbingChain {
  /** Human-readable name of each transient state. */
  readonly labels: readonly string[];
  /** `rates[i][j]`: rate from transient state i to transient state j (diagonal ignored). */
  readonly rates: readonly (readonly number[])[];
  /** Rate from each transient state straight to data loss. */
  readonly lossRates: readonly number[];
}

/** What the model says of one group. */
export interface GroupDurability {
  readonly mttdlYears: number;
  readonly annualLossProbability: number;
  /** −log10 of the annual loss probability: 6 means 99.9999 %. */
  readonly nines: number;
}

/** Per-hour failure rate of one worker whose lifetime is exponential with this annual failure rate. */
export function failureRatePerHour(annualFailureRate: number): number {
  if (!(annualFailureRate >= 0 && annualFailureRate < 1)) {
    throw new RangeError(`Annual failure rate must be in [0, 1), got ${annualFailureRate}`);
  }
  return -Math.log1p(-annualFailureRate) / HOURS_PER_YEAR;
}

/** Most shards of one group in one zone when k + m shards are spread as evenly as possible. */
export function shardsPerZone(model: GroupModel): number {
  return Math.ceil((model.dataShards + model.parityShards) / (model.zones ?? 3));
}

/**
 * The chain of `model`: states (w, z) with w workers and z zones lost, transient while w + z × shards per
 * zone ≤ m. Conservative: a worker loss is always counted outside a lost zone.
 */
export function buildChain(model: GroupModel): AbsorbingChain {
  const { dataShards: k, parityShards: m } = model;
  if (!(Number.isInteger(k) && Number.isInteger(m) && k >= 1 && m >= 0)) {
    throw new RangeError(`Code must be k ≥ 1 data and m ≥ 0 parity shards, got ${k}+${m}`);
  }
  if (!(model.mttrHours > 0)) throw new RangeError(`MTTR must be positive hours, got ${model.mttrHours}`);
  const n = k + m;
  const zones = model.zones ?? 3;
  const perZone = shardsPerZone(model);
  const lambda = failureRatePerHour(model.annualFailureRate);
  const mu = 1 / model.mttrHours;
  const zeta = (model.zoneLossesPerYear ?? 0) / HOURS_PER_YEAR;
  const rho = 1 / (model.zoneRestoreHours ?? 720);
  const states: Array<[number, number]> = [];
  for (let z = 0; z <= zones && z * perZone <= m; z++) {
    for (let w = 0; w + z * perZone <= m; w++) states.push([w, z]);
  }
  const index = (w: number, z: number) => states.findIndex(([sw, sz]) => sw === w && sz === z);
  const rates = states.map(() => states.map(() => 0));
  const lossRates = states.map(() => 0);
  const add = (from: number, w: number, z: number, rate: number) => {
    if (rate <= 0) return;
    const to = index(w, z);
    if (to < 0) lossRates[from] += rate;
    else rates[from][to] += rate;
  };
  states.forEach(([w, z], from) => {
    add(from, w + 1, z, (n - w - z * perZone) * lambda);
    if (w > 0) add(from, w - 1, z, (model.repair === "parallel" ? w : 1) * mu);
    if (z < zones) add(from, w, z + 1, (zones - z) * zeta);
    if (z > 0) add(from, w, z - 1, z * rho);
  });
  return {
    labels: states.map(([w, z]) => z === 0 ? `${w} lost` : `${w} lost + ${z} zone`),
    rates,
    lossRates,
  };
}

/**
 * Mean time from state 0 to absorption, in the chain's time unit. States are removed one by one (last
 * first), folding each into the others' transition probabilities, holding times and absorption
 * probabilities; a self-loop that folding creates is divided out using 1 − p computed as the sum of the
 * other outgoing probabilities, so nothing is ever subtracted and the result keeps full relative precision.
 */
export function meanTimeToAbsorption(chain: AbsorbingChain): number {
  const size = chain.lossRates.length;
  const p = chain.rates.map((row, i) => row.map((rate, j) => (i === j ? 0 : rate)));
  const absorb = [...chain.lossRates];
  const hold = new Array<number>(size).fill(0);
  // From rates to jump probabilities and mean holding times (1 / total exit rate).
  for (let i = 0; i < size; i++) {
    const out = p[i].reduce((sum, rate) => sum + rate, absorb[i]);
    if (!(out > 0)) throw new RangeError(`State ${chain.labels[i]} has no way out`);
    for (let j = 0; j < size; j++) p[i][j] /= out;
    absorb[i] /= out;
    hold[i] = 1 / out;
  }
  for (let s = size - 1; s >= 1; s--) {
    for (let i = 0; i < s; i++) {
      const via = p[i][s];
      if (via === 0) continue;
      p[i][s] = 0;
      hold[i] += via * hold[s];
      absorb[i] += via * absorb[s];
      for (let j = 0; j < s; j++) if (j !== i) p[i][j] += via * p[s][j];
      if (p[s][i] > 0) {
        // A return to i through s is a self-loop: divide by 1 − loop, summed from what leaves i.
        let leave = absorb[i];
        for (let j = 0; j < s; j++) if (j !== i) leave += p[i][j];
        for (let j = 0; j < s; j++) p[i][j] /= leave;
        absorb[i] /= leave;
        hold[i] /= leave;
      }
    }
  }
  return hold[0];
}

/**
 * Probability of having reached data loss from state 0 within `time` (the chain's unit): exp(Q·time) by
 * uniformization of a step h with Λh ≤ 1/2 (Λ twice the largest exit rate, so every entry of the
 * uniformized matrix is a non-negative number free of cancellation) summed until the Poisson weights fall
 * below 1e-300, then squared until h reaches `time`. Non-negative arithmetic throughout.
 */
export function absorptionProbability(chain: AbsorbingChain, time: number): number {
  const size = chain.lossRates.length;
  const exits = chain.rates.map((row, i) =>
    row.reduce((sum, rate, j) => sum + (i === j ? 0 : rate), 0) +
    chain.lossRates[i]
  );
  const uniform = 2 * Math.max(...exits);
  if (!(time > 0) || uniform === 0) return 0;
  const squarings = Math.max(0, Math.ceil(Math.log2(2 * uniform * time)));
  const step = time / 2 ** squarings;
  // The uniformized matrix over transient states plus the absorbing one (last).
  const jump = Array.from({ length: size + 1 }, (_, i) =>
    Array.from({ length: size + 1 }, (_, j) => {
      if (i === size) return j === size ? 1 : 0;
      if (j === size) return chain.lossRates[i] / uniform;
      return i === j ? 1 - exits[i] / uniform : chain.rates[i][j] / uniform;
    }));
  let power: number[][] = jump.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
  let weight = Math.exp(-uniform * step);
  const result = power.map((row) => row.map((value) => value * weight));
  for (let term = 1; weight > 1e-300 && term < 10_000; term++) {
    power = multiply(power, jump);
    weight *= (uniform * step) / term;
    power.forEach((row, i) => row.forEach((value, j) => (result[i][j] += value * weight)));
  }
  let exponential = result;
  for (let s = 0; s < squarings; s++) exponential = multiply(exponential, exponential);
  return Math.min(1, exponential[0][size]);
}

/** MTTDL, annual loss probability and nines of one placement group. */
export function groupDurability(model: GroupModel): GroupDurability {
  const chain = buildChain(model);
  const annualLossProbability = absorptionProbability(chain, HOURS_PER_YEAR);
  return {
    mttdlYears: meanTimeToAbsorption(chain) / HOURS_PER_YEAR,
    annualLossProbability,
    nines: nines(annualLossProbability),
  };
}

/** −log10(p): the number of nines of 1 − p (6 for p = 10⁻⁶, i.e. 99.9999 %). */
export function nines(probability: number): number {
  return -Math.log10(probability);
}

/** How a cluster of many workers is laid out. */
export interface ClusterShape {
  readonly zones: number;
  readonly workersPerZone: number;
}

/**
 * How many times more sets of m + 1 workers a cluster offers to lose data than one group does: the
 * (m + 1)-worker sets with at most ⌈(k + m) / zones⌉ workers in any zone (those a placement can hold), over
 * C(k + m, m + 1). With many objects placed by hashing, each such set holds shards of some object, so the
 * chance that the cluster loses any object at all is about this factor times the group's (for small
 * probabilities), while each object's own chance stays the group's.
 */
export function clusterLossFactor(model: GroupModel, cluster: ClusterShape): number {
  const lost = model.parityShards + 1;
  const perZone = Math.min(shardsPerZone({ ...model, zones: cluster.zones }), cluster.workersPerZone);
  // ways[j]: sets of j workers over the zones seen so far, at most perZone in each.
  let ways = [1, ...new Array<number>(lost).fill(0)];
  for (let zone = 0; zone < cluster.zones; zone++) {
    const next = new Array<number>(lost + 1).fill(0);
    for (let have = 0; have <= lost; have++) {
      for (let take = 0; take <= perZone && have + take <= lost; take++) {
        next[have + take] += ways[have] * binomial(cluster.workersPerZone, take);
      }
    }
    ways = next;
  }
  return ways[lost] / binomial(model.dataShards + model.parityShards, lost);
}

/** Probability that at least one of `groups` independent groups fails, each with probability `p`. */
export function anyOfProbability(p: number, groups: number): number {
  return -Math.expm1(groups * Math.log1p(-p));
}

/**
 * The longest MTTR (hours) at which the group's annual loss probability is at most `target`, by bisection
 * on log(MTTR) (the probability grows with MTTR); `cluster` applies the cluster factor. 0 when even a
 * one-minute repair misses the target, Infinity when no repair at all meets it.
 */
export function longestMttrHoursFor(model: GroupModel, target: number, cluster?: ClusterShape): number {
  const factor = cluster === undefined ? 1 : clusterLossFactor(model, cluster);
  const meets = (mttrHours: number) =>
    anyOfProbability(groupDurability({ ...model, mttrHours }).annualLossProbability, factor) <= target;
  let low = 1 / 60;
  let high = 1e7;
  if (!meets(low)) return 0;
  if (meets(high)) return Infinity;
  for (let i = 0; i < 40; i++) {
    const middle = Math.sqrt(low * high);
    if (meets(middle)) low = middle;
    else high = middle;
  }
  return low;
}

/** What a repair of one whole worker involves. */
export interface WorkerRepair {
  /** Shard bytes the worker held (all must be rebuilt). */
  readonly workerBytes: number;
  /** Shard bytes rebuilt per second (each needs k times as many object bytes read). */
  readonly rebuildBytesPerSecond: number;
  /** From the loss to the first rebuild: heartbeats, the down-after delay, the auditor reaching it. */
  readonly detectionSeconds: number;
  /** Time the auditor needs to queue every shard of the worker; overlaps the rebuild (default 0). */
  readonly auditPassSeconds?: number;
}

/** MTTR of one whole worker, hours: detection, then the slower of the audit pass and the rebuild. */
export function workerRepairHours(repair: WorkerRepair): number {
  const rebuildSeconds = repair.workerBytes / repair.rebuildBytesPerSecond;
  return (repair.detectionSeconds + Math.max(rebuildSeconds, repair.auditPassSeconds ?? 0)) / 3600;
}

/** C(n, r) as a float (exact for the small arguments used here). */
export function binomial(n: number, r: number): number {
  if (r < 0 || r > n) return 0;
  let result = 1;
  for (let i = 1; i <= r; i++) result = (result * (n - r + i)) / i;
  return result;
}

function multiply(a: readonly number[][], b: readonly number[][]): number[][] {
  return a.map((row) =>
    b[0].map((_, j) => {
      let sum = 0;
      for (let l = 0; l < row.length; l++) sum += row[l] * b[l][j];
      return sum;
    })
  );
}
