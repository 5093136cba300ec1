/**
 * The S3 peer of the large-transfer rows: the npm package s3rver (pinned to 3.7.1), a Node.js S3 server
 * that stores each object as one file. `npx` fetches the package (once; npm caches it) and names its
 * script, and the script then runs as a direct `node` child: a server started through `npx` outlived a
 * SIGTERM sent to `npx` when tried, so stopping it needs the server's own pid. Listens on a 127.0.0.1
 * port chosen at run time and stores into a dir the caller owns and removes. `await using` stops it.
 */
import { ChildServer, freePort, waitForPort } from "./peer_process.ts";

/** The s3rver version every run uses, so its figure is comparable between runs. */
export const S3RVER_PACKAGE = "s3rver@3.7.1";

/** s3rver's built-in access key pair. */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

/** Bound on `npx` fetching the package; a first run on a fresh machine downloads it. */
const INSTALL_TIMEOUT_MS = 180_000;
const READY_TIMEOUT_MS = 30_000;

/** A running s3rver process. */
export class S3rverPeer extends ChildServer {
  /** Starts `node script` (from `findS3rver()`) storing into `dir`; resolves once its port accepts. */
  static async start(script: string, dir: string): Promise<S3rverPeer> {
    const port = freePort();
    const child = new Deno.Command("node", {
      args: [script, "-d", dir, "-a", "127.0.0.1", "-p", String(port), "-s"],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const peer = new S3rverPeer(`http://127.0.0.1:${port}`, child, stderr);
    try {
      await waitForPort("s3rver", port, child, READY_TIMEOUT_MS);
    } catch (error) {
      await peer[Symbol.asyncDispose]();
      throw new Error(`${(error as Error).message}\n${await stderr}`);
    }
    return peer;
  }
}

/** Why s3rver cannot run here: a short note for the table and the details for the log. */
export interface S3rverUnavailable {
  readonly reason: string;
  readonly detail: string;
}

/**
 * Path of s3rver's start script, fetched through `npx` if needed (`npx -p s3rver@3.7.1 sh -c 'command
 * -v s3rver'`), or why it is unavailable (no Node.js, no registry, an install error).
 */
export async function findS3rver(): Promise<{ script: string } | S3rverUnavailable> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("npx", {
      args: ["--yes", "-p", S3RVER_PACKAGE, "sh", "-c", "command -v s3rver"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(INSTALL_TIMEOUT_MS),
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return { reason: "npx not installed", detail: "npx not on PATH" };
    }
    return { reason: "npx failed", detail: `npx ${S3RVER_PACKAGE}: ${(error as Error).message}` };
  }
  const script = new TextDecoder().decode(output.stdout).trim();
  if (!output.success || script === "") {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    return {
      reason: "npx failed",
      detail: `npx ${S3RVER_PACKAGE} exited ${output.code}: ${stderr.slice(-500)}`,
    };
  }
  try {
    return { script: await Deno.realPath(script) };
  } catch (error) {
    return { reason: "npx failed", detail: `npx named ${script}: ${(error as Error).message}` };
  }
}
