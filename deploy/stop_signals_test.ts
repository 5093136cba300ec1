import { assertEquals } from "../tests/support/asserts.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** Reads `stream` until a line starting with `prefix` arrives; the rest of the stream keeps draining. */
async function waitForLine(stream: ReadableStream<Uint8Array>, prefix: string): Promise<void> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before a line starting with ${prefix}`);
    text += value;
    if (text.split("\n").some((line) => line.startsWith(prefix))) break;
  }
  (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })().catch(() => {});
}

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "dev cluster: a burst of SIGINTs (deno task forwards one twice at times) still stops it with 0",
  sanitizeResources: false,
  fn: async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "objstore-signals-" });
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", "--config", CONFIG, MAIN, "dev", "--port", "0", "--data-dir", dataDir],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    try {
      await waitForLine(child.stdout, "secret key:");
      const workers: { url: string; pool: string }[] = JSON.parse(
        await Deno.readTextFile(`${dataDir}/workers.json`),
      );
      assertEquals(workers.filter((worker) => worker.pool === "regional").length, 9);
      assertEquals(workers.filter((worker) => worker.pool === "archive").length, 8);
      const childPids = await descendantPids(child.pid);
      // The first signal starts the clean stop; the repeats land while children are being stopped.
      const repeats = (async () => {
        for (let i = 0; i < 100 && alive(child.pid); i++) {
          try {
            Deno.kill(child.pid, "SIGINT");
          } catch { /* exited between the check and the signal */ }
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      const status = await child.status;
      await repeats;
      assertEquals(status.code, 0, await stderr);
      assertEquals(status.signal, null);
      assertEquals(childPids.filter(alive), [], "every worker and the gateway stopped");
    } finally {
      if (alive(child.pid)) child.kill("SIGKILL");
      await child.status;
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

/** Process ids of the children of `pid`, from /proc. */
async function descendantPids(pid: number): Promise<number[]> {
  const children = await Deno.readTextFile(`/proc/${pid}/task/${pid}/children`);
  return children.trim().split(/\s+/).filter((id) => id !== "").map(Number);
}
