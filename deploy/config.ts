/**
 * The one place that reads the environment: turns flags and environment variables into typed, validated
 * configuration for each role. A mistake becomes one `ConfigError` naming the setting.
 */
import { z } from "zod";
import { ConfigError } from "./config_error.ts";
import { parseCliFlags } from "./cli_flags.ts";
import { ADMIN_SETTINGS } from "./admin_settings.ts";
import { DEV_SETTINGS, GATEWAY_SETTINGS, type SettingSpec, WORKER_SETTINGS } from "./settings.ts";

type SpecTable = Record<string, SettingSpec<unknown>>;
type Values<S extends SpecTable> = { [K in keyof S]: S[K] extends SettingSpec<infer T> ? T : never };

/** A worker as the gateway knows it: identity, address and place in the topology. */
export interface WorkerEndpoint {
  id: string;
  url: string;
  region: string;
  zone: string;
  weight: number;
  /** The tier whose shards it holds (`regional` unless it says `archive`). */
  pool?: "regional" | "archive";
}

/** Configuration of a gateway process. */
export type GatewayConfig = Omit<Values<typeof GATEWAY_SETTINGS>, "workersFile"> & {
  workers: WorkerEndpoint[];
  /** The certificate and key when the gateway serves HTTPS, else null. */
  tls: TlsFiles | null;
};
/** Configuration of a storage worker process. */
export type WorkerConfig = Values<typeof WORKER_SETTINGS>;
/** Configuration of the dev cluster; the cluster secret is generated when unset. */
export type DevConfig = Omit<Values<typeof DEV_SETTINGS>, "clusterSecret" | "workersFile"> & {
  clusterSecret: string | undefined;
};

/** Where settings come from: the process's flags and environment. */
export interface ConfigSource {
  args: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
}

/** The process's own flags and environment (the only `Deno.env` read in the code base). */
export function processConfigSource(args: readonly string[]): ConfigSource {
  return { args, env: Deno.env.toObject() };
}

const workerListSchema = z.array(z.object({
  id: WORKER_SETTINGS.workerId.schema,
  url: z.url(),
  region: z.string().min(1),
  zone: z.string().min(1),
  weight: z.number().positive().default(1),
  pool: z.enum(["regional", "archive"]).default("regional"),
})).min(1);

/** Reads the gateway configuration, including the worker list file. */
export async function loadGatewayConfig(source: ConfigSource): Promise<GatewayConfig> {
  const { workersFile, ...values } = readSettings(GATEWAY_SETTINGS, source);
  const workers = await readWorkersFile(workersFile);
  const tls = await readTlsFiles(values.tlsCertFile, values.tlsKeyFile);
  const config = { ...values, workers, tls };
  checkErasureLayout(config);
  return config;
}

/** Configuration of the admin command. */
export type AdminConfig = Values<typeof ADMIN_SETTINGS>;

/** Reads the admin command's configuration. */
export function loadAdminConfig(source: ConfigSource): AdminConfig {
  return readSettings(ADMIN_SETTINGS, source);
}

/** Reads the worker configuration. */
export function loadWorkerConfig(source: ConfigSource): WorkerConfig {
  return readSettings(WORKER_SETTINGS, source);
}

/** Reads the dev-cluster configuration. */
export function loadDevConfig(source: ConfigSource): DevConfig {
  const { clusterSecret: _secret, workersFile: _file, ...specs } = DEV_SETTINGS;
  const values = readSettings(specs, source);
  const clusterSecret = source.env[DEV_SETTINGS.clusterSecret.env] === undefined
    ? undefined
    : readSettings({ clusterSecret: DEV_SETTINGS.clusterSecret }, { args: [], env: source.env })
      .clusterSecret;
  const config = { ...values, clusterSecret };
  const totalShards = config.dataShards + config.parityShards;
  const perZone = Math.min(config.workersPerZone, Math.max(1, config.parityShards));
  if (config.zones * perZone < totalShards) {
    throw new ConfigError(
      `${DEV_SETTINGS.zones.env} / ${DEV_SETTINGS.workersPerZone.env}`,
      `${config.zones} zones of ${config.workersPerZone} workers cannot hold ${config.dataShards}+` +
        `${config.parityShards} shards on distinct workers with at most ${
          Math.max(1, config.parityShards)
        } per zone`,
    );
  }
  const archiveTotal = config.archiveDataShards + config.archiveParityShards;
  const archivePerZone = Math.min(config.archiveWorkersPerZone, Math.max(1, config.archiveParityShards));
  if (config.archiveWorkersPerZone > 0 && config.archiveZones * archivePerZone < archiveTotal) {
    throw new ConfigError(
      `${DEV_SETTINGS.archiveZones.env} / ${DEV_SETTINGS.archiveWorkersPerZone.env}`,
      `${config.archiveZones} archive zones of ${config.archiveWorkersPerZone} workers cannot hold ` +
        `${config.archiveDataShards}+${config.archiveParityShards} shards on distinct workers with at most ` +
        `${Math.max(1, config.archiveParityShards)} per zone`,
    );
  }
  return config;
}

function readSettings<S extends SpecTable>(specs: S, source: ConfigSource): Values<S> {
  const allowedFlags = Object.values(specs).flatMap((spec) => spec.flag ? [spec.flag] : []);
  const switches = Object.values(specs).flatMap((spec) =>
    spec.flag && spec.unit === "true | false" ? [spec.flag] : []
  );
  const flags = parseCliFlags(source.args, allowedFlags, switches);
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const fromFlag = spec.flag === undefined ? undefined : flags[spec.flag];
    const raw = fromFlag ?? source.env[spec.env] ?? spec.defaultValue;
    const settingName = fromFlag !== undefined ? `--${spec.flag}` : spec.env;
    if (raw === undefined) {
      throw new ConfigError(spec.env, `${spec.env} is required: ${spec.description}`);
    }
    const parsed = spec.schema.safeParse(raw);
    if (!parsed.success) {
      const reason = parsed.error.issues[0]?.message ?? "invalid value";
      throw new ConfigError(settingName, `${settingName}=${JSON.stringify(raw)} is not valid: ${reason}`);
    }
    out[name] = parsed.data;
  }
  return out as Values<S>;
}

/** A certificate chain and its private key, PEM-encoded. */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

/** The TLS pair named by the two settings, null when both are empty; a `ConfigError` otherwise. */
export async function readTlsFiles(certFile: string, keyFile: string): Promise<TlsFiles | null> {
  const { tlsCertFile, tlsKeyFile } = GATEWAY_SETTINGS;
  if (certFile === "" && keyFile === "") return null;
  if (certFile === "" || keyFile === "") {
    const missing = certFile === "" ? tlsCertFile.env : tlsKeyFile.env;
    throw new ConfigError(
      missing,
      `${missing} is required when the other TLS file is set: set both or neither`,
    );
  }
  const read = async (path: string, setting: string, marker: string) => {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      throw new ConfigError(setting, `${setting}: cannot read ${path}: ${(error as Error).message}`);
    }
    if (!text.includes(marker)) throw new ConfigError(setting, `${setting}: ${path} holds no PEM ${marker}`);
    return text;
  };
  return {
    cert: await read(certFile, tlsCertFile.env, "-----BEGIN CERTIFICATE-----"),
    key: await read(keyFile, tlsKeyFile.env, "PRIVATE KEY-----"),
  };
}

async function readWorkersFile(path: string): Promise<WorkerEndpoint[]> {
  const setting = GATEWAY_SETTINGS.workersFile.env;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new ConfigError(setting, `${setting}: cannot read ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(setting, `${setting}: ${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = workerListSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(setting, `${setting}: ${path} at ${issue.path.join(".")}: ${issue.message}`);
  }
  const ids = new Set<string>();
  for (const worker of parsed.data) {
    if (ids.has(worker.id)) {
      throw new ConfigError(setting, `${setting}: worker id ${worker.id} appears twice`);
    }
    ids.add(worker.id);
  }
  return parsed.data;
}

function checkErasureLayout(config: GatewayConfig): void {
  checkPool(config.workers.filter((worker) => (worker.pool ?? "regional") === "regional"), "regional", {
    dataShards: config.dataShards,
    parityShards: config.parityShards,
  });
  const archive = config.workers.filter((worker) => worker.pool === "archive");
  if (archive.length > 0) {
    checkPool(archive, "archive", {
      dataShards: config.archiveDataShards,
      parityShards: config.archiveParityShards,
    });
  }
}

/** Refuses a pool whose workers cannot hold k + m shards on distinct workers, at most max(1, m) per zone. */
function checkPool(
  workers: readonly WorkerEndpoint[],
  pool: string,
  code: { dataShards: number; parityShards: number },
): void {
  const total = code.dataShards + code.parityShards;
  const zones = new Map<string, number>();
  for (const worker of workers) {
    const zoneKey = `${worker.region}/${worker.zone}`;
    zones.set(zoneKey, (zones.get(zoneKey) ?? 0) + 1);
  }
  let capacity = 0;
  for (const count of zones.values()) capacity += Math.min(count, Math.max(1, code.parityShards));
  if (workers.length < total || capacity < total) {
    throw new ConfigError(
      GATEWAY_SETTINGS.workersFile.env,
      `${workers.length} ${pool} workers in ${zones.size} zones cannot hold ${code.dataShards}+` +
        `${code.parityShards} shards on distinct workers with at most ${
          Math.max(1, code.parityShards)
        } per zone`,
    );
  }
}
