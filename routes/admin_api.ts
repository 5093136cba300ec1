/**
 * The admin endpoint, for the root user only: access keys of other users. `POST /_admin/keys?user=NAME`
 * issues a key (the secret is shown in this answer only), `GET /_admin/keys` lists keys without secrets,
 * `DELETE /_admin/keys/ACCESS_KEY_ID` revokes one; `GET /_admin/health` shows workers, repairs, the auditor
 * and rebalancing; `GET /_admin/workers` lists the workers, `POST /_admin/workers` (JSON body) adds one,
 * `DELETE /_admin/workers/ID` starts draining one. Requests are SigV4-signed like S3 requests; the path
 * can never be a bucket's, since bucket names cannot start with `_`. Answers are JSON, errors S3 XML.
 */
import { z } from "zod";
import type {
  AuditStats,
  IssuedAccessKey,
  LayoutWorkerView,
  RebalanceStats,
  RepairStats,
  WorkerStatus,
} from "../tiers/mod.ts";
import type { LayoutRecord, WorkerInfo } from "../storage/mod.ts";

/** The admin health view: every worker's status, and what repair, the auditor and rebalancing have done. */
export interface ClusterHealth {
  readonly workers: readonly WorkerStatus[];
  readonly repair: RepairStats;
  readonly audit: AuditStats;
  readonly rebalance: RebalanceStats;
}

/** What the admin endpoint needs to change the worker list. */
export interface WorkerAdministration {
  list(): LayoutWorkerView[];
  add(worker: WorkerInfo): Promise<LayoutRecord>;
  drain(workerId: string): Promise<LayoutRecord>;
}

/** The body of `POST /_admin/workers`. */
const newWorkerSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "letters, digits, '.', '_' or '-', at most 64"),
  url: z.url({ protocol: /^https?$/ }),
  region: z.string().min(1).max(64),
  zone: z.string().min(1).max(64),
  weight: z.number().positive().max(1_000_000).default(1),
  pool: z.enum(["regional", "archive"]).default("regional"),
}).strict();

/** Largest admin request body read. */
const MAX_ADMIN_BODY_BYTES = 64 * 1024;
import type { GatewayServices } from "./request_context.ts";
import { S3Error } from "./s3_errors.ts";

/** Where the admin endpoint lives. */
export const ADMIN_PATH_PREFIX = "/_admin/";

/** What the admin endpoint needs of the gateway. */
export interface UserAdministration {
  /** True when `accessKeyId` is the root user's. */
  isRoot(accessKeyId: string): boolean;
  createKey(userName: string): Promise<IssuedAccessKey>;
  revokeKey(accessKeyId: string): Promise<boolean>;
  listKeys(): Promise<Array<Omit<IssuedAccessKey, "secretKey">>>;
}

/** Answers one admin request, signed with `accessKeyId` (null: anonymous). */
export async function adminRequest(
  request: Request,
  path: string,
  params: URLSearchParams,
  accessKeyId: string | null,
  services: GatewayServices,
): Promise<Response> {
  if (accessKeyId === null || !services.users.isRoot(accessKeyId)) {
    throw new S3Error("AccessDenied", "Only the root user may use the admin endpoint");
  }
  const rest = path.slice(ADMIN_PATH_PREFIX.length);
  if (rest === "health") {
    if (request.method === "GET") return json(services.clusterHealth());
  } else if (rest === "keys") {
    if (request.method === "GET") return json({ keys: await services.users.listKeys() });
    if (request.method === "POST") {
      const user = params.get("user");
      if (user === null) {
        throw new S3Error("InvalidArgument", "POST /_admin/keys needs ?user=NAME", { ArgumentName: "user" });
      }
      return json(await services.users.createKey(user));
    }
  } else if (rest === "workers") {
    if (request.method === "GET") return json({ workers: services.workers.list() });
    if (request.method === "POST") {
      await services.workers.add(await newWorkerOf(request));
      return json({ workers: services.workers.list() });
    }
  } else if (rest.startsWith("workers/") && request.method === "DELETE") {
    await services.workers.drain(decodeURIComponent(rest.slice("workers/".length)));
    return json({ workers: services.workers.list() });
  } else if (rest.startsWith("keys/") && request.method === "DELETE") {
    const accessKey = decodeURIComponent(rest.slice("keys/".length));
    if (!await services.users.revokeKey(accessKey)) {
      throw new S3Error("NoSuchEntity", `No access key ${accessKey}`);
    }
    return new Response(null, { status: 204 });
  } else {
    throw new S3Error("InvalidURI", `No admin resource ${path}`);
  }
  throw new S3Error("MethodNotAllowed", `${request.method} is not allowed on ${path}`);
}

/** The worker described by the request's JSON body, validated. */
async function newWorkerOf(request: Request): Promise<WorkerInfo> {
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > MAX_ADMIN_BODY_BYTES) {
    throw new S3Error("EntityTooLarge", "The admin request body is too large");
  }
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    throw new S3Error("MalformedPOSTRequest", "POST /_admin/workers needs a JSON body");
  }
  const parsed = newWorkerSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new S3Error("InvalidArgument", `Worker ${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  return parsed.data;
}

function json(value: unknown): Response {
  return new Response(JSON.stringify(value, null, 2) + "\n", {
    status: 200,
    headers: { "content-type": "application/json" },
  });
}
