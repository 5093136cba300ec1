/**
 * A self-signed certificate for `deno task dev --tls`: generated once into a directory (the key readable by
 * its owner only), reused across restarts, and generated anew when it is within a week of expiry. For local
 * use only; a deployment brings a certificate from its own CA (see docs/security-operations.md).
 */
import { X509Certificate } from "node:crypto";
import selfsigned from "selfsigned";

/** Where a certificate and its key were written. */
export interface TlsPairFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

const VALID_DAYS = 365;
const RENEW_BEFORE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The self-signed pair in `dir` for `localhost`, `*.localhost` and 127.0.0.1 (plus `host` when it is another
 * address or name), created or renewed as needed.
 */
export async function selfSignedPair(dir: string, host: string, nowMs = Date.now()): Promise<TlsPairFiles> {
  const files = { certFile: `${dir}/cert.pem`, keyFile: `${dir}/key.pem` };
  if (await stillValid(files, host, nowMs)) return files;
  await Deno.mkdir(dir, { recursive: true });
  const names = new Set(["localhost", "*.localhost"]);
  const addresses = new Set(["127.0.0.1", "::1"]);
  if (/^[\d.]+$/.test(host) || host.includes(":")) addresses.add(host);
  else names.add(host);
  const pems = await selfsigned.generate([{ name: "commonName", value: "objstore dev" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(nowMs - 60_000),
    notAfterDate: new Date(nowMs + VALID_DAYS * 24 * 60 * 60 * 1000),
    extensions: [
      { name: "basicConstraints", cA: false },
      {
        name: "subjectAltName",
        altNames: [
          ...[...names].map((value) => ({ type: 2 as const, value })),
          ...[...addresses].map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  await Deno.writeTextFile(files.keyFile, pems.private, { mode: 0o600 });
  await Deno.chmod(files.keyFile, 0o600);
  await Deno.writeTextFile(files.certFile, pems.cert, { mode: 0o644 });
  return files;
}

async function stillValid(files: TlsPairFiles, host: string, nowMs: number): Promise<boolean> {
  try {
    const certificate = new X509Certificate(await Deno.readTextFile(files.certFile));
    await Deno.stat(files.keyFile);
    const expiresMs = Date.parse(certificate.validTo);
    const covers = host === "0.0.0.0" || host === "::" || (certificate.subjectAltName ?? "").includes(host);
    return Number.isFinite(expiresMs) && expiresMs - nowMs > RENEW_BEFORE_MS && covers;
  } catch {
    return false;
  }
}
