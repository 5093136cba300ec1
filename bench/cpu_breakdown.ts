/**
 * Where a large PUT and GET spend their CPU: starts a cluster (tests/support/cluster.ts), then around each of
 * `--rounds` (3) PUTs and GETs of one object (`--quick`: 64 MiB, else 1 GiB; the bench's own client) reads
 * user + system CPU-seconds from /proc for the gateway, the 9 workers together and this client, and prints
 * them beside the transfer's rate. With `--shards-over-http` the gateway reads every shard over HTTP (as from
 * workers on other hosts) instead of from the files of these same-host workers. Linux only. Run:
 * `deno run --allow-all bench/cpu_breakdown.ts [--quick] [--rounds N] [--shards-over-http]`.
 */
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { TEST_CREDENTIALS, TestCluster } from "../tests/support/cluster.ts";
import { BenchSigner } from "./bench_signer.ts";
import { benchSizes } from "./bench_sizes.ts";
import { getLargeObject, putLargeObject } from "./large_transfer.ts";

/** CPU-seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
    const ticksPerSecond = 100;
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return 0;
  }
}

function workerPids(clusterDir: string): number[] {
  const output = new Deno.Command("pgrep", { args: ["-f", `${clusterDir}/workers/`] }).outputSync();
  return new TextDecoder().decode(output.stdout).trim().split("\n").filter(Boolean).map(Number);
}

async function main(quick: boolean, rounds: number, shardsOverHttp: boolean): Promise<void> {
  const sizes = benchSizes(quick);
  const gatewayEnv = shardsOverHttp ? { OBJSTORE_LOCAL_SHARD_READS: "false" } : undefined;
  await using cluster = await TestCluster.start({ gatewayEnv });
  const client = cluster.client();
  try {
    await client.send(new CreateBucketCommand({ Bucket: "breakdown" }));
  } finally {
    client.destroy();
  }
  const signer = new BenchSigner(TEST_CREDENTIALS);
  const url = new URL(`${cluster.endpoint}/breakdown/object`);
  const workers = workerPids(cluster.dir);
  const sample = () => ({
    gateway: cpuSeconds(cluster.gatewayPid),
    workers: workers.reduce((sum, pid) => sum + cpuSeconds(pid), 0),
    client: cpuSeconds(Deno.pid),
    atMs: performance.now(),
  });
  console.log(`${sizes.transferLabel} per transfer; CPU-seconds per transfer`);
  for (let round = 0; round < rounds; round++) {
    for (const kind of ["PUT", "GET"] as const) {
      const before = sample();
      const rate = kind === "PUT"
        ? await putLargeObject("Gateway", url, signer, sizes)
        : await getLargeObject("Gateway", url, signer, { ...sizes, largeGets: 1 });
      const after = sample();
      console.log(
        `${kind} ${rate.toFixed(3)} GB/s  wall ${((after.atMs - before.atMs) / 1000).toFixed(2)} s  ` +
          `gateway ${(after.gateway - before.gateway).toFixed(2)}  workers ${
            (after.workers - before.workers).toFixed(2)
          }  client ${(after.client - before.client).toFixed(2)}`,
      );
    }
  }
}

if (import.meta.main) {
  const roundsFlag = Deno.args.indexOf("--rounds");
  const rounds = roundsFlag >= 0 ? Number(Deno.args[roundsFlag + 1]) : 3;
  await main(Deno.args.includes("--quick"), rounds, Deno.args.includes("--shards-over-http"));
  // The cluster is stopped and its temp dir removed; TestCluster leaves readiness timers armed.
  Deno.exit(0);
}
