/** The admin command's settings, in the format of `settings.ts`. */
import { z } from "zod";
import { GATEWAY_SETTINGS, type SettingSpec } from "./settings.ts";

/** Settings of the admin command (`main.ts admin ACTION`), which calls a running gateway as the root user. */
export const ADMIN_SETTINGS = {
  endpoint: {
    env: "OBJSTORE_ENDPOINT",
    flag: "endpoint",
    unit: "URL",
    defaultValue: "http://127.0.0.1:9000",
    description: "The gateway's S3 endpoint, as `deno task dev` prints it.",
    schema: z.url({ protocol: /^https?$/ }),
  },
  caCert: {
    env: "OBJSTORE_CA_CERT",
    flag: "ca-cert",
    unit: "path",
    defaultValue: "",
    description: "PEM certificate to trust for an https endpoint (the one `deno task dev --tls` prints).",
    schema: z.string(),
  },
  region: GATEWAY_SETTINGS.region,
  rootAccessKey: GATEWAY_SETTINGS.rootAccessKey,
  rootSecretKey: GATEWAY_SETTINGS.rootSecretKey,
  user: {
    env: "OBJSTORE_ADMIN_USER",
    flag: "user",
    unit: "user name",
    defaultValue: "",
    description: "create-key: the user the new key belongs to.",
    schema: z.string(),
  },
  accessKey: {
    env: "OBJSTORE_ADMIN_ACCESS_KEY",
    flag: "access-key",
    unit: "access key id",
    defaultValue: "",
    description: "revoke-key: the access key to revoke.",
    schema: z.string(),
  },
  workerId: {
    env: "OBJSTORE_ADMIN_WORKER_ID",
    flag: "worker-id",
    unit: "worker id",
    defaultValue: "",
    description: "add-worker, remove-worker: the worker's id.",
    schema: z.string(),
  },
  workerUrl: {
    env: "OBJSTORE_ADMIN_WORKER_URL",
    flag: "worker-url",
    unit: "URL",
    defaultValue: "",
    description: "add-worker: the worker's base URL, as the worker printed it.",
    schema: z.string(),
  },
  workerZone: {
    env: "OBJSTORE_ADMIN_WORKER_ZONE",
    flag: "worker-zone",
    unit: "zone",
    defaultValue: "",
    description: "add-worker: the zone the worker is in.",
    schema: z.string(),
  },
  workerRegion: {
    env: "OBJSTORE_ADMIN_WORKER_REGION",
    flag: "worker-region",
    unit: "region",
    defaultValue: "",
    description: "add-worker: the worker's region (the signing region when empty).",
    schema: z.string(),
  },
  workerWeight: {
    env: "OBJSTORE_ADMIN_WORKER_WEIGHT",
    flag: "worker-weight",
    unit: "weight",
    defaultValue: "1",
    description:
      "add-worker: the worker's share of shards relative to the others (proportional to capacity).",
    schema: z.coerce.number().positive().max(1_000_000),
  },
} as const satisfies Record<string, SettingSpec<unknown>>;
