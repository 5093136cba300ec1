/** What every S3 handler receives: the request, its parsed operation, the caller, and the services. */
import type {
  AccessTracker,
  BucketService,
  MultipartService,
  ObjectRestores,
  ObjectService,
} from "../tiers/mod.ts";
import type { AuthResult } from "./auth/mod.ts";
import type { PolicyMemo } from "./policy/mod.ts";
import type { ClusterHealth, UserAdministration, WorkerAdministration } from "./admin_api.ts";
import type { S3Operation } from "./s3_operation.ts";

/** The identity that owns buckets (S3's canonical user). */
export interface S3Owner {
  readonly id: string;
  readonly displayName: string;
}

/** Services and settings the handlers use; built once per gateway. */
export interface GatewayServices {
  readonly buckets: BucketService;
  readonly objects: ObjectService;
  readonly multipart: MultipartService;
  /** RestoreObject requests, and the restored copies GET reads. */
  readonly restores: ObjectRestores;
  /** Notes every GET of an object's bytes (for `NotAccessedTransition`), coalesced in memory. */
  readonly access: Pick<AccessTracker, "noteRead">;
  readonly region: string;
  readonly baseDomain: string;
  /** True when the gateway serves HTTPS (the policy condition `aws:SecureTransport`). */
  readonly secureTransport: boolean;
  /** Workers, repairs and the auditor as the gateway sees them (the admin health view). */
  readonly clusterHealth: () => ClusterHealth;
  /** Access keys of users, managed by the root user through the admin endpoint. */
  readonly users: UserAdministration;
  /** The worker list, changed by the root user through the admin endpoint. */
  readonly workers: WorkerAdministration;
  /** Resolves an access key to its secret and owner; null when unknown. */
  readonly lookupUser: (accessKeyId: string) => Promise<{ secretKey: string; owner: S3Owner } | null>;
  readonly nowMs: () => number;
  /** The length of a lifecycle day (for `x-amz-expiration`). */
  readonly lifecycleDayMs: number;
  /** The gateway's metrics in Prometheus text format. */
  readonly metricsText: () => string;
}

/** What the server knows of the connection a request came on (`Deno.serve`'s handler info). */
export interface GatewayConnection {
  /** The peer's address; absent when the app is driven in-process (tests, benchmarks). */
  readonly remoteAddr?: { readonly hostname: string };
}

/** One request being served. */
export interface RequestContext<O extends S3Operation = S3Operation> {
  readonly request: Request;
  /** The request URL, parsed on first use (most requests never need it). */
  readonly url: URL;
  readonly params: URLSearchParams;
  readonly operation: O;
  readonly auth: AuthResult;
  /** The authenticated caller, or null for an anonymous request. */
  readonly owner: S3Owner | null;
  readonly services: GatewayServices;
  readonly requestId: string;
  /** The peer's IP address (policy condition `aws:SourceIp`), or null when unknown. */
  readonly sourceIp: string | null;
  /** Compiled bucket policies of this gateway. */
  readonly policies: PolicyMemo;
}
