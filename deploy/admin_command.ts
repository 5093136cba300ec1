/**
 * `main.ts admin ACTION` (`deno task admin ACTION`): the root user's command line for the gateway's admin
 * endpoint. `create-key --user NAME` prints the new key as JSON (the only time its secret is shown),
 * `list-keys` prints every key without secrets, `revoke-key --access-key ID` revokes one. Requests are
 * SigV4-signed with the root credentials from the environment, as any S3 client would sign them.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AdminConfig } from "./config.ts";
import { ConfigError } from "./config_error.ts";

/** The actions of the admin command. */
export const ADMIN_ACTIONS = ["create-key", "list-keys", "revoke-key"] as const;
/** One admin action. */
export type AdminAction = typeof ADMIN_ACTIONS[number];

/** Runs `action`; prints the gateway's answer (JSON) on stdout, an error on stderr. Returns the exit status. */
export async function runAdminCommand(action: string | undefined, config: AdminConfig): Promise<number> {
  if (!ADMIN_ACTIONS.includes(action as AdminAction)) {
    console.error(`usage: main.ts admin ${ADMIN_ACTIONS.join("|")} [--flag value ...]`);
    return 2;
  }
  const { method, path, query } = adminRequestOf(action as AdminAction, config);
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
    headers: { host: url.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
  });
  const client = config.caCert === ""
    ? undefined
    : Deno.createHttpClient({ caCerts: [await Deno.readTextFile(config.caCert)] });
  try {
    const response = await fetch(url, { method, headers: signed.headers, client });
    const body = await response.text();
    if (!response.ok) {
      console.error(`objstore admin: ${method} ${url.pathname} failed with ${response.status}\n${body}`);
      return 1;
    }
    if (body !== "") console.log(body.trimEnd());
    return 0;
  } finally {
    client?.close();
  }
}

function adminRequestOf(
  action: AdminAction,
  config: AdminConfig,
): { method: string; path: string; query: Record<string, string> } {
  switch (action) {
    case "create-key":
      if (config.user === "") throw new ConfigError("--user", "create-key needs --user NAME");
      return { method: "POST", path: "/_admin/keys", query: { user: config.user } };
    case "list-keys":
      return { method: "GET", path: "/_admin/keys", query: {} };
    case "revoke-key":
      if (config.accessKey === "") throw new ConfigError("--access-key", "revoke-key needs --access-key ID");
      return { method: "DELETE", path: `/_admin/keys/${encodeURIComponent(config.accessKey)}`, query: {} };
  }
}
