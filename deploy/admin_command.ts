/**
 * `main.ts admin ACTION` (`deno task admin ACTION`): the root user's command line for the gateway's admin
 * endpoint. `create-key --user NAME` prints the new key as JSON (the only time its secret is shown),
 * `list-keys` prints every key without secrets, `revoke-key --access-key ID` revokes one, `health` shows the
 * workers, the repair queue, the auditor's pass and rebalancing as text with progress bars; `workers` lists
 * the workers, `add-worker` adds one and `remove-worker` drains one. Requests are SigV4-signed with the root
 * credentials from the environment, as any S3 client would sign them.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AdminConfig } from "./config.ts";
import { ConfigError } from "./config_error.ts";
import { passProgress } from "../tiers/mod.ts";

/** The actions of the admin command. */
export const ADMIN_ACTIONS = [
  "create-key",
  "list-keys",
  "revoke-key",
  "health",
  "workers",
  "add-worker",
  "remove-worker",
] as const;
/** One admin action. */
export type AdminAction = typeof ADMIN_ACTIONS[number];

/** Runs `action`; prints the gateway's answer (JSON) on stdout, an error on stderr. Returns the exit status. */
export async function runAdminCommand(action: string | undefined, config: AdminConfig): Promise<number> {
  if (!ADMIN_ACTIONS.includes(action as AdminAction)) {
    console.error(`usage: main.ts admin ${ADMIN_ACTIONS.join("|")} [--flag value ...]`);
    return 2;
  }
  const { method, path, query, body: requestBody } = adminRequestOf(action as AdminAction, config);
  const url = new URL(path, config.endpoint);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const signer = new SignatureV4({
    service: "s3",
    region: config.region,
    credentials: { accessKeyId: config.rootAccessKey, secretAccessKey: config.rootSecretKey },
    sha256: Sha256,
    uriEscapePath: false,
  });
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port === "" ? undefined : Number(url.port),
    path: url.pathname,
    query,
    headers: {
      host: url.host,
      "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
      ...(requestBody === undefined ? {} : { "content-type": "application/json" }),
    },
  });
  const client = config.caCert === ""
    ? undefined
    : Deno.createHttpClient({ caCerts: [await Deno.readTextFile(config.caCert)] });
  try {
    const response = await fetch(url, { method, headers: signed.headers, body: requestBody, client });
    const body = await response.text();
    if (!response.ok) {
      console.error(`objstore admin: ${method} ${url.pathname} failed with ${response.status}\n${body}`);
      return 1;
    }
    if (action === "health") console.log(renderHealth(JSON.parse(body) as HealthView));
    else if (body !== "") console.log(body.trimEnd());
    return 0;
  } finally {
    client?.close();
  }
}

function adminRequestOf(
  action: AdminAction,
  config: AdminConfig,
): { method: string; path: string; query: Record<string, string>; body?: string } {
  switch (action) {
    case "workers":
      return { method: "GET", path: "/_admin/workers", query: {} };
    case "add-worker": {
      if (config.workerId === "") throw new ConfigError("--worker-id", "add-worker needs --worker-id ID");
      if (config.workerUrl === "") throw new ConfigError("--worker-url", "add-worker needs --worker-url URL");
      if (config.workerZone === "") {
        throw new ConfigError("--worker-zone", "add-worker needs --worker-zone ZONE");
      }
      const worker = {
        id: config.workerId,
        url: config.workerUrl,
        region: config.workerRegion === "" ? config.region : config.workerRegion,
        zone: config.workerZone,
        weight: config.workerWeight,
      };
      return { method: "POST", path: "/_admin/workers", query: {}, body: JSON.stringify(worker) };
    }
    case "remove-worker":
      if (config.workerId === "") throw new ConfigError("--worker-id", "remove-worker needs --worker-id ID");
      return { method: "DELETE", path: `/_admin/workers/${encodeURIComponent(config.workerId)}`, query: {} };
    case "create-key":
      if (config.user === "") throw new ConfigError("--user", "create-key needs --user NAME");
      return { method: "POST", path: "/_admin/keys", query: { user: config.user } };
    case "list-keys":
      return { method: "GET", path: "/_admin/keys", query: {} };
    case "health":
      return { method: "GET", path: "/_admin/health", query: {} };
    case "revoke-key":
      if (config.accessKey === "") throw new ConfigError("--access-key", "revoke-key needs --access-key ID");
      return { method: "DELETE", path: `/_admin/keys/${encodeURIComponent(config.accessKey)}`, query: {} };
  }
}

/** The admin health view as the gateway sends it. */
interface HealthView {
  workers: Array<{ workerId: string; zone: string; up: boolean; downSinceMs: number | null }>;
  repair: { queued: number; rebuiltShards: number; rebuiltBytes: number; failures: number };
  audit: {
    passes: number;
    shardsChecked: number;
    shardsMissing: number;
    scrubbedBytes: number;
    corruptShards: number;
    position: string;
  };
  rebalance: {
    settled: boolean;
    position: string;
    movedShards: number;
    movedBytes: number;
    pendingShards: number;
    draining: string[];
  };
}

/** A text bar of `done` out of `total`, 20 characters wide. */
export function progressBar(done: number, total: number): string {
  const fraction = total <= 0 ? 1 : Math.min(1, Math.max(0, done / total));
  const filled = Math.round(fraction * 20);
  return `[${"#".repeat(filled)}${".".repeat(20 - filled)}] ${Math.round(fraction * 100)}%`;
}

/**
 * The health view as text: workers up and down (with how long), the repair queue (a bar of shards rebuilt
 * against rebuilt + still queued) and the auditor's position in its pass over the data ids (hex order).
 */
export function renderHealth(view: HealthView, nowMs = Date.now()): string {
  const up = view.workers.filter((worker) => worker.up).length;
  const lines = [`workers: ${up} of ${view.workers.length} up`];
  for (const worker of view.workers.filter((candidate) => !candidate.up)) {
    const seconds = worker.downSinceMs === null ? 0 : Math.round((nowMs - worker.downSinceMs) / 1000);
    lines.push(`  ${worker.workerId} (${worker.zone}) down for ${seconds} s`);
  }
  const { repair, audit } = view;
  lines.push(
    `repair: ${repair.queued} data ids queued, ${repair.rebuiltShards} shards rebuilt (${repair.rebuiltBytes} bytes), ` +
      `${repair.failures} failed attempts ${
        progressBar(repair.rebuiltShards, repair.rebuiltShards + repair.queued)
      }`,
  );
  lines.push(
    `audit: pass ${audit.passes + 1} ${progressBar(passProgress(audit.position), 1)}, ` +
      `${audit.shardsChecked} shards checked, ${audit.shardsMissing} missing, ` +
      `${audit.scrubbedBytes} bytes scrubbed, ${audit.corruptShards} corrupt`,
  );
  const { rebalance } = view;
  const draining = rebalance.draining.length === 0 ? "" : `, draining ${rebalance.draining.join(", ")}`;
  const moved = `${rebalance.movedShards} shards moved (${rebalance.movedBytes} bytes)`;
  lines.push(
    rebalance.settled
      ? `rebalance: settled, ${moved}${draining}`
      : `rebalance: running ${progressBar(passProgress(rebalance.position), 1)}, ${moved}, ` +
        `${rebalance.pendingShards} waiting${draining}`,
  );
  return lines.join("\n");
}
