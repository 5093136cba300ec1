/**
 * The admin endpoint, for the root user only: access keys of other users. `POST /_admin/keys?user=NAME`
 * issues a key (the secret is shown in this answer only), `GET /_admin/keys` lists keys without secrets,
 * `DELETE /_admin/keys/ACCESS_KEY_ID` revokes one; `GET /_admin/health` shows workers, repairs and the auditor. Requests are SigV4-signed like S3 requests; the path
 * can never be a bucket's, since bucket names cannot start with `_`. Answers are JSON, errors S3 XML.
 */
import type { AuditStats, IssuedAccessKey, RepairStats, WorkerStatus } from "../tiers/mod.ts";

/** The admin health view: every worker's status, and what repair and the auditor have done. */
export interface ClusterHealth {
  readonly workers: readonly WorkerStatus[];
  readonly repair: RepairStats;
  readonly audit: AuditStats;
}
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

function json(value: unknown): Response {
  return new Response(JSON.stringify(value, null, 2) + "\n", {
    status: 200,
    headers: { "content-type": "application/json" },
  });
}
