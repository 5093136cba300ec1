/**
 * The durability model applied to this project: the repair figures measured on the development machine, the
 * MTTRs they give, and every table of docs/durability.md (`deno run bench/durability_tables.ts` prints them).
 */
import {
  anyOfProbability,
  clusterLossFactor,
  groupDurability,
  type GroupModel,
  longestMttrHoursFor,
  nines,
  shardsPerZone,
  workerRepairHours,
} from "./durability_model.ts";

/**
 * Repair figures measured on the shared 2-vCPU development machine (10 processes on one host, other jobs
 * running; noisy): the fault suite's wiped worker, and a one-off run that wiped a worker holding one shard of
 * each of 48 objects of 8 MiB, with tuned intervals (repair and audit 50 ms) and with the defaults (the rate
 * counted from the first rebuild: detection is modelled separately). See docs/durability.md.
 */
export const MEASURED = {
  faultSuiteWipedSeconds: 1.4,
  tunedUsefulBytesPerSecond: 51.2e6,
  defaultUsefulBytesPerSecond: 19.8e6,
  /** OBJSTORE_REPAIR_BYTES_PER_SEC default (256 MiB/s of object bytes read) over k = 6 reads per shard. */
  limiterShardBytesPerSecond: (256 * 1024 * 1024) / 6,
  /** Heartbeat (OBJSTORE_HEALTH_INTERVAL_MS 5 s) plus OBJSTORE_WORKER_DOWN_AFTER_MS (300 s). */
  deadWorkerDetectionSeconds: 305,
  /** Manifests the auditor looks at per second by default: 256 every OBJSTORE_AUDIT_INTERVAL_MS (10 s). */
  auditManifestsPerSecond: 25.6,
} as const;

const AFRS = [0.01, 0.02, 0.05, 0.1];
const MTTRS = [1, 6, 24, 72];
const CODES: ReadonlyArray<readonly [string, number, number]> = [
  ["3-way replication", 1, 2],
  ["4+2", 4, 2],
  ["6+3", 6, 3],
  ["8+4", 8, 4],
  ["10+4", 10, 4],
];
const TB = 1e12;

/** A probability with its nines: `2.1e-9 (8.7)`. */
function withNines(p: number): string {
  if (p === 0) return "< 1e-300";
  return `${p.toExponential(1)} (${nines(p).toFixed(1)})`;
}

/** Hours as a short duration. */
function duration(hours: number): string {
  if (!Number.isFinite(hours)) return "any";
  if (hours < 1 / 60) return `${(hours * 3600).toFixed(1)} s`;
  if (hours < 1) return `${(hours * 60).toFixed(0)} min`;
  if (hours < 48) return `${hours.toFixed(1)} h`;
  return `${(hours / 24).toFixed(1)} d`;
}

/** A Markdown table with a header line. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** MTTR of a 1 TB worker (or `workerBytes`) from the measured figures: name and hours. */
export function repairScenarios(): Array<[string, number]> {
  const detectionSeconds = MEASURED.deadWorkerDetectionSeconds;
  const at = (rebuildBytesPerSecond: number, workerBytes = TB, auditPassSeconds = 0) =>
    workerRepairHours({ workerBytes, rebuildBytesPerSecond, detectionSeconds, auditPassSeconds });
  // A large rebuild runs at the measured rate, but never above the bandwidth bound.
  const bounded = (rate: number) => Math.min(rate, MEASURED.limiterShardBytesPerSecond);
  // The worker holds one shard of each object (8 MiB): the auditor must reach every one of them.
  const auditPass = (workerBytes: number) =>
    workerBytes / ((8 * 1024 * 1024) / 6) / MEASURED.auditManifestsPerSecond;
  return [
    [
      "fault suite: wiped worker (about 1 MB of shards), test intervals",
      MEASURED.faultSuiteWipedSeconds / 3600,
    ],
    ["1 TB worker at the default bandwidth bound (44.7 MB/s), audit not limiting", at(bounded(Infinity))],
    [
      "1 TB worker of 8 MiB objects, default settings, measured 19.8 MB/s",
      at(bounded(MEASURED.defaultUsefulBytesPerSecond), TB, auditPass(TB)),
    ],
    [
      "1 TB worker, 9-worker cluster: 24 h to replace, then refill at defaults",
      24 + at(bounded(MEASURED.defaultUsefulBytesPerSecond), TB, auditPass(TB)),
    ],
    [
      "10 TB worker of 8 MiB objects, default settings",
      at(bounded(MEASURED.defaultUsefulBytesPerSecond), 10 * TB, auditPass(10 * TB)),
    ],
    [
      "1 TB worker, tuned intervals, measured 51 MB/s (bounded to 44.7)",
      at(bounded(MEASURED.tunedUsefulBytesPerSecond)),
    ],
  ];
}

const SIX_THREE = { dataShards: 6, parityShards: 3 } as const;

/** Annual loss probability of `model` with the given AFR and MTTR. */
function lossPerYear(
  model: Omit<GroupModel, "annualFailureRate" | "mttrHours">,
  afr: number,
  mttrHours: number,
) {
  return groupDurability({ ...model, annualFailureRate: afr, mttrHours }).annualLossProbability;
}

/** Every table of docs/durability.md, as Markdown. */
export function durabilityTables(): string {
  const out: string[] = [];
  const section = (title: string, header: readonly string[], rows: readonly (readonly string[])[]) =>
    out.push(`### ${title}\n`, table(header, rows), "");
  section(
    "6+3, one placement group: annual loss probability (nines); MTTDL",
    ["AFR \\ MTTR", ...MTTRS.map((h) => `${h} h`)],
    AFRS.map((afr) => [
      `${afr * 100} %`,
      ...MTTRS.map((mttrHours) => {
        const result = groupDurability({ ...SIX_THREE, annualFailureRate: afr, mttrHours });
        return `${withNines(result.annualLossProbability)}; ${result.mttdlYears.toExponential(1)} y`;
      }),
    ]),
  );
  for (const afr of [0.02, 0.05]) {
    section(
      `Codes compared, AFR ${afr * 100} %: annual loss probability (nines)`,
      ["code", "raw bytes per byte", "losses survived", ...MTTRS.map((h) => `${h} h`)],
      CODES.map(([name, k, m]) => [
        name,
        ((k + m) / k).toFixed(2),
        String(m),
        ...MTTRS.map((h) => withNines(lossPerYear({ dataShards: k, parityShards: m }, afr, h))),
      ]),
    );
  }
  section(
    "6+3 at the measured repair speeds",
    ["scenario", "MTTR", "AFR 2 %: MTTDL", "AFR 2 %: loss/yr (nines)", "AFR 5 %: loss/yr (nines)"],
    repairScenarios().map(([name, mttrHours]) => [
      name,
      duration(mttrHours),
      `${
        groupDurability({ ...SIX_THREE, annualFailureRate: 0.02, mttrHours }).mttdlYears.toExponential(1)
      } y`,
      withNines(lossPerYear(SIX_THREE, 0.02, mttrHours)),
      withNines(lossPerYear(SIX_THREE, 0.05, mttrHours)),
    ]),
  );
  const zoneCases = [[0, 720], [0.001, 168], [0.001, 720], [0.01, 168], [0.01, 720], [0.1, 720]] as const;
  section(
    "Destroyed zones (AFR 2 %, worker MTTR 24 h): annual loss probability (nines)",
    [
      "code",
      "shards per zone",
      ...zoneCases.map(([z, h]) => z === 0 ? "no zone loss" : `${z}/zone/yr, ${h / 24} d`),
    ],
    CODES.map(([name, k, m]) => [
      name,
      String(shardsPerZone({ dataShards: k, parityShards: m, annualFailureRate: 0, mttrHours: 1 })),
      ...zoneCases.map(([zoneLossesPerYear, zoneRestoreHours]) =>
        withNines(
          lossPerYear({ dataShards: k, parityShards: m, zoneLossesPerYear, zoneRestoreHours }, 0.02, 24),
        )
      ),
    ]),
  );
  const remedies: ReadonlyArray<readonly [string, number, number, number, number]> = [
    ["6+3 over 3 zones, zone back in 30 d (today)", 6, 3, 3, 720],
    ["6+3 over 3 zones, re-protected in 24 h (zone rule relaxed)", 6, 3, 3, 24],
    ["6+3 over 5 zones (2 shards per zone)", 6, 3, 5, 720],
    ["6+5 over 3 zones (4 shards per zone)", 6, 5, 3, 720],
    ["12+6 over 6 zones (3 shards per zone)", 12, 6, 6, 720],
  ];
  section(
    "Ways out of the zone-loss floor (AFR 2 %, worker MTTR 24 h, 0.01 zone losses/zone/yr)",
    ["layout", "raw bytes per byte", "loss/yr (nines)"],
    remedies.map(([name, k, m, zones, zoneRestoreHours]) => [
      name,
      ((k + m) / k).toFixed(2),
      withNines(
        lossPerYear(
          { dataShards: k, parityShards: m, zones, zoneLossesPerYear: 0.01, zoneRestoreHours },
          0.02,
          24,
        ),
      ),
    ]),
  );
  section(
    "6+3 in clusters of several groups (AFR 2 %): P(the cluster loses any object in a year)",
    ["workers", "cluster factor", ...MTTRS.map((h) => `MTTR ${h} h`)],
    [3, 4, 9, 30].map((workersPerZone) => {
      const factor = clusterLossFactor({ ...SIX_THREE, annualFailureRate: 0, mttrHours: 1 }, {
        zones: 3,
        workersPerZone,
      });
      return [
        `${3 * workersPerZone} (3 × ${workersPerZone})`,
        factor.toFixed(1),
        ...MTTRS.map((h) => withNines(anyOfProbability(lossPerYear(SIX_THREE, 0.02, h), factor))),
      ];
    }),
  );
  const targets = [6, 9, 11];
  section(
    "Longest worker MTTR that reaches a target (6+3, no zone losses)",
    ["AFR", "scope", ...targets.map((t) => `${t} nines`)],
    [0.02, 0.05].flatMap((afr) =>
      [undefined, 9, 30].map((perZone) => [
        `${afr * 100} %`,
        perZone === undefined ? "one object (group)" : `any object of ${3 * perZone} workers`,
        ...targets.map((t) => {
          const cluster = perZone === undefined ? undefined : { zones: 3, workersPerZone: perZone };
          return duration(
            longestMttrHoursFor({ ...SIX_THREE, annualFailureRate: afr, mttrHours: 1 }, 10 ** -t, cluster),
          );
        }),
      ])
    ),
  );
  return out.join("\n");
}

if (import.meta.main) console.log(durabilityTables());
