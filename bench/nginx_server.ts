/**
 * A native HTTP peer for the CDN-origin bench: Debian's nginx serving static files from a temp dir,
 * started as a child process (`daemon off`, `master_process off`, so one process and one event loop)
 * with a generated config that keeps its pid, logs and temp files inside that dir and listens on a
 * 127.0.0.1 port chosen at run time. `await using` stops it; the caller owns and removes the dir.
 */
import { ChildServer, freePort, waitForPort } from "./peer_process.ts";

const READY_TIMEOUT_MS = 10_000;
/** Where Debian installs nginx; not on PATH for a non-root shell. */
const NGINX_CANDIDATES = ["nginx", "/usr/sbin/nginx"];

/** A running nginx process. */
export class NginxServer extends ChildServer {
  /**
   * Writes `files` (path under the web root → bytes) and a config into `dir`, starts `nginx` (the
   * path `findNginx()` returned) and resolves once the port accepts connections.
   */
  static async start(nginx: string, dir: string, files: Record<string, Uint8Array>): Promise<NginxServer> {
    await Deno.mkdir(`${dir}/www`, { recursive: true });
    for (const [path, bytes] of Object.entries(files)) await Deno.writeFile(`${dir}/www/${path}`, bytes);
    const port = freePort();
    await Deno.writeTextFile(`${dir}/nginx.conf`, nginxConfig(dir, port));
    const child = new Deno.Command(nginx, {
      args: ["-p", dir, "-c", `${dir}/nginx.conf`, "-e", `${dir}/error.log`],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const server = new NginxServer(`http://127.0.0.1:${port}`, child, stderr);
    try {
      await waitForPort("nginx", port, child, READY_TIMEOUT_MS);
    } catch (error) {
      await server[Symbol.asyncDispose]();
      const log = await Deno.readTextFile(`${dir}/error.log`).catch(() => "");
      throw new Error(`${(error as Error).message}\n${await stderr}\n${log}`);
    }
    return server;
  }
}

/** The nginx binary to run, or null when it is not installed. */
export async function findNginx(): Promise<string | null> {
  for (const candidate of NGINX_CANDIDATES) {
    try {
      await new Deno.Command(candidate, { args: ["-v"], stdin: "null", stdout: "null", stderr: "null" })
        .output();
      return candidate;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return null;
}

/**
 * One process, no access log, keep-alive connections that are never closed for their request count
 * (nginx's default of 1000 would make wrk reconnect, which our Deno servers never ask it to do).
 */
function nginxConfig(dir: string, port: number): string {
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 60s;
  keepalive_requests 10000000;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${dir}/www;
  }
}
`;
}
