/**
 * runWrk() against a real nginx on a free 127.0.0.1 port. Skipped where wrk or nginx is not installed
 * (CI installs both). Counts are checked, never rates: timing asserts would flake.
 */
import { assert, assertRejects } from "../tests/support/asserts.ts";
import { findNginx, NginxServer } from "./nginx_server.ts";
import { runWrk, wrkAvailable } from "./wrk_load.ts";

const nginxPath = await findNginx();
const ignore = nginxPath === null || !(await wrkAvailable());
const SETTINGS = { threads: 1, connections: 4, durationSeconds: 1 };

async function withNginx(files: number, test: (url: string, dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wrk-load-test-" });
  try {
    const bodies: Record<string, Uint8Array> = {};
    for (let index = 0; index < files; index++) bodies[`file-${index}`] = new Uint8Array(64);
    await using nginx = await NginxServer.start(nginxPath!, `${dir}/nginx`, bodies);
    await test(nginx.url, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "runWrk() with a path list stops after the requested responses",
  ignore,
  fn: () =>
    withNginx(40, async (url, dir) => {
      const paths = Array.from({ length: 40 }, (_, index) => `/file-${index}`);
      const result = await runWrk(new URL(url), { ...SETTINGS, durationSeconds: 20 }, dir, paths, 30);
      assert(
        result.requests >= 30 && result.requests <= 40,
        `Expected 30 to 40 requests, got ${result.requests}`,
      );
      assert(result.p99Ms >= result.p50Ms, `Expected p99 ≥ p50, got ${result.p99Ms} < ${result.p50Ms}`);
    }),
});

Deno.test({
  name: "runWrk() fails when the server answers with errors",
  ignore,
  fn: () =>
    withNginx(1, async (url, dir) => {
      const error = await assertRejects(() => runWrk(new URL(`${url}/absent`), SETTINGS, dir));
      assert(String(error).includes("non-2xx"), `Expected a non-2xx error, got ${error}`);
    }),
});
