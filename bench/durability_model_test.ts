import { assert, assertEquals } from "../tests/support/asserts.ts";
import {
  type AbsorbingChain,
  absorptionProbability,
  binomial,
  buildChain,
  clusterLossFactor,
  failureRatePerHour,
  groupDurability,
  type GroupModel,
  HOURS_PER_YEAR,
  longestMttrHoursFor,
  meanTimeToAbsorption,
  workerRepairHours,
} from "./durability_model.ts";
import { durabilityTables } from "./durability_tables.ts";

/** Fails unless `actual` is within `tolerance` (relative) of `expected`. */
function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  const error = Math.abs(actual - expected) / Math.abs(expected);
  assert(error <= tolerance, `${what}: expected ${expected}, got ${actual} (relative error ${error})`);
}

/** Annual loss probability of a group. */
function loss(model: GroupModel): number {
  return groupDurability(model).annualLossProbability;
}

const SIX_THREE: GroupModel = { dataShards: 6, parityShards: 3, annualFailureRate: 0.02, mttrHours: 24 };

/** A seeded generator of uniform numbers in (0, 1) (mulberry32), so the simulation test is repeatable. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

/** Whether one simulated run of `chain` (Gillespie: exponential holding, then a jump) is absorbed by `time`. */
function simulateLoss(chain: AbsorbingChain, time: number, random: () => number): boolean {
  let state = 0;
  let now = 0;
  for (;;) {
    const targets = chain.rates[state].map((rate, j) => (j === state ? 0 : rate));
    const total = targets.reduce((sum, rate) => sum + rate, chain.lossRates[state]);
    now += -Math.log(random()) / total;
    if (now > time) return false;
    let pick = random() * total;
    const next = targets.findIndex((rate) => (pick -= rate) < 0);
    if (next < 0) return true;
    state = next;
  }
}

/** Mean time to absorption by plain Gaussian elimination of −Q t = 1 (fine when rates are of one order). */
function denseMeanTime(chain: AbsorbingChain): number {
  const size = chain.lossRates.length;
  const a = chain.rates.map((row, i) => {
    const exit = row.reduce((sum, rate, j) => sum + (i === j ? 0 : rate), chain.lossRates[i]);
    return [...row.map((rate, j) => (i === j ? exit : -rate)), 1];
  });
  for (let c = 0; c < size; c++) {
    for (let r = c + 1; r < size; r++) {
      const f = a[r][c] / a[c][c];
      for (let j = c; j <= size; j++) a[r][j] -= f * a[c][j];
    }
  }
  const t = new Array<number>(size).fill(0);
  for (let r = size - 1; r >= 0; r--) {
    let sum = a[r][size];
    for (let j = r + 1; j < size; j++) sum -= a[r][j] * t[j];
    t[r] = sum / a[r][r];
  }
  return t[0];
}

Deno.test("meanTimeToAbsorption() gives the mirror's exact (3λ + μ)/(2λ²) when μ/λ is 10⁶", () => {
  const lambda = 1e-6;
  const mu = 1;
  const chain: AbsorbingChain = {
    labels: ["both", "one"],
    rates: [[0, 2 * lambda], [mu, 0]],
    lossRates: [0, lambda],
  };
  assertClose(meanTimeToAbsorption(chain), (3 * lambda + mu) / (2 * lambda * lambda), 1e-12, "1+1 MTTDL");
  assertClose(meanTimeToAbsorption(chain), mu / (2 * lambda * lambda), 1e-5, "1+1 MTTDL ≈ μ/(2λ²)");
});

Deno.test("buildChain() of 1+1 mirroring has the mirror's MTTDL ≈ μ/(2λ²)", () => {
  const model = { dataShards: 1, parityShards: 1, annualFailureRate: 0.05, mttrHours: 12 };
  const lambda = failureRatePerHour(0.05);
  const hours = groupDurability(model).mttdlYears * HOURS_PER_YEAR;
  assertClose(hours, (1 / 12) / (2 * lambda * lambda), 1e-3, "1+1 MTTDL from the model");
});

Deno.test("meanTimeToAbsorption() matches 6+3's leading term μ³/(9·8·7·6·λ⁴) when μ ≫ λ", () => {
  const lambda = failureRatePerHour(0.01);
  const expected = 1 / (9 * 8 * 7 * 6 * lambda ** 4);
  const hours = groupDurability({ ...SIX_THREE, annualFailureRate: 0.01, mttrHours: 1 }).mttdlYears *
    HOURS_PER_YEAR;
  assertClose(hours, expected, 1e-3, "6+3 MTTDL");
});

Deno.test("meanTimeToAbsorption() agrees with Gaussian elimination on a chain with zone losses", () => {
  const chain = buildChain({
    dataShards: 4,
    parityShards: 3,
    annualFailureRate: 0.9,
    mttrHours: 500,
    zones: 4,
    zoneLossesPerYear: 2,
    zoneRestoreHours: 300,
  });
  assert(chain.lossRates.length > 4, "the chain has zone states");
  assertClose(meanTimeToAbsorption(chain), denseMeanTime(chain), 1e-9, "MTTDL of a chain with zones");
});

Deno.test("absorptionProbability() of one state left at rate a is −expm1(−a·t), even at a·t = 1e-12", () => {
  for (const rate of [1e-16, 1e-6, 1e-3]) {
    const chain: AbsorbingChain = { labels: ["up"], rates: [[0]], lossRates: [rate] };
    assertClose(absorptionProbability(chain, 10_000), -Math.expm1(-rate * 10_000), 1e-10, `rate ${rate}`);
  }
});

Deno.test("absorptionProbability() without repair is the binomial tail of k + m independent losses", () => {
  for (const [k, m, afr] of [[6, 3, 0.1], [6, 3, 0.01], [1, 2, 0.02], [10, 4, 0.05]]) {
    // With exponential lifetimes a worker is gone within a year with probability exactly the AFR.
    let expected = 0;
    for (let j = m + 1; j <= k + m; j++) expected += binomial(k + m, j) * afr ** j * (1 - afr) ** (k + m - j);
    const actual = loss({ dataShards: k, parityShards: m, annualFailureRate: afr, mttrHours: Infinity });
    assertClose(actual, expected, 1e-9, `${k}+${m} at AFR ${afr} without repair`);
  }
});

Deno.test("absorptionProbability() agrees with a seeded simulation of a 2+1 group and of a zone chain", () => {
  const random = seededRandom(20261125);
  const cases: Array<[string, GroupModel]> = [
    ["2+1", { dataShards: 2, parityShards: 1, annualFailureRate: 0.5, mttrHours: 2000 }],
    ["6+3 with zones", { ...SIX_THREE, annualFailureRate: 0.6, mttrHours: 1500, zoneLossesPerYear: 0.3 }],
  ];
  for (const [name, model] of cases) {
    const chain = buildChain(model);
    const expected = absorptionProbability(chain, HOURS_PER_YEAR);
    const runs = 20_000;
    let lost = 0;
    for (let run = 0; run < runs; run++) if (simulateLoss(chain, HOURS_PER_YEAR, random)) lost++;
    const sigma = Math.sqrt((expected * (1 - expected)) / runs);
    assert(expected > 0.02 && expected < 0.98, `${name}: a probability the simulation can see (${expected})`);
    assert(
      Math.abs(lost / runs - expected) < 4.5 * sigma,
      `${name}: simulated ${lost / runs}, computed ${expected} (σ ${sigma})`,
    );
  }
});

Deno.test("absorptionProbability() over a year is 1 − exp(−year/MTTDL) when repair is fast", () => {
  // Down to a one-minute repair: μ/λ ≈ 5·10⁷ and a loss probability near 10⁻²¹.
  for (const [afr, mttrHours] of [[0.01, 24], [0.1, 24], [0.01, 1 / 60]]) {
    const result = groupDurability({ ...SIX_THREE, annualFailureRate: afr, mttrHours });
    assertClose(
      result.annualLossProbability,
      -Math.expm1(-1 / result.mttdlYears),
      1e-2,
      `AFR ${afr}, ${mttrHours} h`,
    );
  }
});

Deno.test("groupDurability() loses more as the AFR or the MTTR grows", () => {
  for (const mttrHours of [1, 6, 24, 72]) {
    const byAfr = [0.01, 0.02, 0.05, 0.1].map((annualFailureRate) =>
      loss({ ...SIX_THREE, annualFailureRate, mttrHours })
    );
    for (let i = 1; i < byAfr.length; i++) {
      assert(byAfr[i] > byAfr[i - 1], `AFR order at MTTR ${mttrHours} h`);
    }
  }
  for (const annualFailureRate of [0.01, 0.02, 0.05, 0.1]) {
    const byMttr = [1, 6, 24, 72].map((mttrHours) => loss({ ...SIX_THREE, annualFailureRate, mttrHours }));
    for (let i = 1; i < byMttr.length; i++) {
      assert(byMttr[i] > byMttr[i - 1], `MTTR order at AFR ${annualFailureRate}`);
    }
  }
});

Deno.test("groupDurability() loses less with more parity, and parallel repair beats serial by m!", () => {
  const byParity = [1, 2, 3, 4].map((parityShards) => loss({ ...SIX_THREE, parityShards }));
  for (let i = 1; i < byParity.length; i++) {
    assert(byParity[i] < byParity[i - 1] / 100, `6+${i + 1} vs 6+${i}`);
  }
  assert(loss(SIX_THREE) < loss({ ...SIX_THREE, dataShards: 4, parityShards: 2 }), "6+3 beats 4+2");
  const model = { ...SIX_THREE, annualFailureRate: 0.01, mttrHours: 1 };
  const ratio = groupDurability({ ...model, repair: "parallel" }).mttdlYears /
    groupDurability(model).mttdlYears;
  assertClose(ratio, 6, 1e-3, "parallel over serial MTTDL for m = 3");
});

Deno.test("buildChain() makes a zone loss fatal when a zone holds more than m shards", () => {
  const withZones = { zoneLossesPerYear: 0.01, zoneRestoreHours: 720 };
  assert(loss({ ...SIX_THREE, ...withZones }) > 1000 * loss(SIX_THREE), "zone losses dominate 6+3");
  // 10+4 over 3 zones puts 5 shards in a zone: the first zone loss is data loss.
  const tenFour = loss({ dataShards: 10, parityShards: 4, annualFailureRate: 0, mttrHours: 1, ...withZones });
  assertClose(tenFour, -Math.expm1(-3 * 0.01), 1e-9, "10+4 over 3 zones");
  // With a zone down, 6 shards are left: any of those 6 workers or of the 2 other zones ends the object.
  const chain = buildChain({ ...SIX_THREE, ...withZones });
  assertClose(
    chain.lossRates[4],
    6 * failureRatePerHour(0.02) + 2 * 0.01 / HOURS_PER_YEAR,
    1e-12,
    "zone state",
  );
  assertEquals(chain.labels, [
    "0 lost",
    "1 lost",
    "2 lost",
    "3 lost",
    "0 lost + 1 zone",
  ]);
});

Deno.test("clusterLossFactor() counts the (m + 1)-worker sets placements can hold", () => {
  assertEquals(clusterLossFactor(SIX_THREE, { zones: 3, workersPerZone: 3 }), 1);
  // 12 workers: C(12, 4) sets less the 3 that lie in one zone, over C(9, 4) = 126.
  assertClose(
    clusterLossFactor(SIX_THREE, { zones: 3, workersPerZone: 4 }),
    (495 - 3) / 126,
    1e-12,
    "12 workers",
  );
});

Deno.test("longestMttrHoursFor() finds the MTTR at which the target is just met", () => {
  const target = 1e-9;
  const mttrHours = longestMttrHoursFor(SIX_THREE, target);
  assert(loss({ ...SIX_THREE, mttrHours }) <= target, "met at the answer");
  assert(loss({ ...SIX_THREE, mttrHours: mttrHours * 1.01 }) > target, "missed just beyond");
});

Deno.test("workerRepairHours() adds detection to the slower of rebuild and audit pass", () => {
  const base = { workerBytes: 1e12, rebuildBytesPerSecond: 12e6, detectionSeconds: 305 };
  assertClose(workerRepairHours(base), (305 + 1e12 / 12e6) / 3600, 1e-12, "rebuild bound");
  assertClose(
    workerRepairHours({ ...base, auditPassSeconds: 1e6 }),
    (305 + 1e6) / 3600,
    1e-12,
    "audit bound",
  );
});

Deno.test("durabilityTables() prints every table of the doc", () => {
  const tables = durabilityTables();
  for (
    const title of ["6+3, one placement group", "Codes compared", "measured repair speeds", "Destroyed zones"]
  ) {
    assert(tables.includes(title), `table ${title}`);
  }
  assert(!tables.includes("NaN") && !tables.includes("Infinity"), "every figure is a number");
});
