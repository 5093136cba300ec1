import { assertEquals } from "../tests/support/asserts.ts";
import { openTempCatalog } from "../storage/meta/meta_test_support.ts";
import { ManualClock } from "../storage/mod.ts";
import { MetadataLease } from "./metadata_lease.ts";

Deno.test("MetadataLease: one holder at a time; another takes over once it ends or is released", async () => {
  await using temp = await openTempCatalog();
  const clock = new ManualClock(1_000_000);
  const lease = (holder: string) =>
    new MetadataLease({ catalog: temp.catalog, clock, name: "job", holder, durationMs: 10_000 });
  const a = lease("gateway-a");
  const b = lease("gateway-b");
  assertEquals(await a.acquire(), true);
  assertEquals(await b.acquire(), false);
  clock.advance(9_000);
  assertEquals(await a.acquire(), true, "the holder renews");
  clock.advance(9_000);
  assertEquals(await b.acquire(), false, "renewed: still a's");
  clock.advance(1_001);
  assertEquals(await b.acquire(), true, "a stopped renewing: b takes over");
  assertEquals(await a.acquire(), false);
  await b.release();
  assertEquals(await a.acquire(), true, "released: a takes it at once");
});

Deno.test("MetadataLease: two gateways racing for a free lease never both get it", async () => {
  await using temp = await openTempCatalog();
  const clock = new ManualClock(5_000);
  const contenders = Array.from(
    { length: 8 },
    (_, i) =>
      new MetadataLease({ catalog: temp.catalog, clock, name: "job", holder: `g${i}`, durationMs: 10_000 }),
  );
  const won = await Promise.all(contenders.map((lease) => lease.acquire()));
  assertEquals(won.filter(Boolean).length, 1);
});
