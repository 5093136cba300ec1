import { serialize } from "node:v8";
import { assert, assertEquals, assertRejects } from "../../tests/support/asserts.ts";
import { openTempCatalog } from "../../storage/meta/meta_test_support.ts";
import { isStoreError, KV_MAX_VALUE_BYTES, metaKeys, systemClock } from "../../storage/mod.ts";
import { BucketService } from "../bucket_service.ts";
import type { LifecycleDocument, LifecycleDocumentRule } from "./lifecycle_document.ts";
import { LifecycleConfigurationError } from "./lifecycle_validation.ts";

function expiringRule(id: string, prefix: string): LifecycleDocumentRule {
  return {
    id,
    status: "Enabled",
    filter: { prefix },
    expiration: { days: 30 },
    transitions: [],
    noncurrentVersionTransitions: [],
  };
}

/** `count` rules whose IDs and prefixes are long and beyond Latin-1, the worst case for KV's encoding. */
function heavyRules(count: number, idChars: number, prefixChars: number): LifecycleDocumentRule[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${i}-`.padEnd(idChars, "é"),
    status: "Enabled",
    filter: {
      prefix: `${i}/`.padEnd(prefixChars, "界"),
      tags: [{ key: "k", value: "ü" }],
      objectSizeGreaterThan: 2 ** 40 + i,
    },
    transitions: [{ days: 30 + i, storageClass: "STANDARD_IA" }],
    noncurrentVersionExpiration: { noncurrentDays: 2_000_000_000, newerNoncurrentVersions: 100 },
    noncurrentVersionTransitions: [{
      noncurrentDays: 1,
      newerNoncurrentVersions: 3,
      storageClass: "GLACIER",
    }],
    notAccessedTransition: { days: 45, storageClass: "GLACIER_IR" },
  }));
}

async function withBuckets(
  run: (buckets: BucketService, temp: Awaited<ReturnType<typeof openTempCatalog>>) => Promise<void>,
): Promise<void> {
  await using temp = await openTempCatalog();
  const buckets = new BucketService({ catalog: temp.catalog, clock: systemClock, region: "us-east-1" });
  await buckets.create("logs", "owner");
  await run(buckets, temp);
}

Deno.test("BucketService getLifecycle() returns what putLifecycle() stored, null after deleteLifecycle()", async () => {
  await withBuckets(async (buckets) => {
    assertEquals(await buckets.getLifecycle("logs"), null);
    const configuration: LifecycleDocument = {
      rules: [{ ...expiringRule("a", "tmp/"), legacyPrefix: true }, expiringRule("b", "")],
    };
    await buckets.putLifecycle("logs", configuration);
    assertEquals(await buckets.getLifecycle("logs"), configuration);
    await buckets.deleteLifecycle("logs");
    assertEquals(await buckets.getLifecycle("logs"), null);
  });
});

Deno.test("BucketService putLifecycle() pages 1000 heavy rules below the KV value limit and reads them back", async () => {
  await withBuckets(async (buckets, temp) => {
    const configuration: LifecycleDocument = { rules: heavyRules(1000, 10, 20) };
    await buckets.putLifecycle("logs", configuration);
    assertEquals(await buckets.getLifecycle("logs"), configuration);
    const pages = (await temp.store.getMany(
      Array.from({ length: 10 }, (_, page) => metaKeys.bucketLifecycle("logs", page)),
    )).filter((entry) => entry !== null);
    assert(pages.length > 1, `expected several pages, got ${pages.length}`);
    for (const page of pages) {
      // The bound the pager fills pages to (60 KiB) must hold for V8's own encoding, which Deno KV stores.
      const bytes = serialize(page.value).length;
      assert(
        bytes <= 60 * 1024 && bytes < KV_MAX_VALUE_BYTES,
        `page ${page.key.at(-1)} takes ${bytes} bytes`,
      );
    }
    // A shorter configuration replaces every page of the longer one.
    await buckets.putLifecycle("logs", { rules: [expiringRule("only", "x/")] });
    assertEquals((await buckets.getLifecycle("logs"))?.rules.map((rule) => rule.id), ["only"]);
    assertEquals(await temp.store.get(metaKeys.bucketLifecycle("logs", 1)), null);
  });
});

Deno.test("BucketService putLifecycle() refuses a configuration too large to store and keeps the old one", async () => {
  await withBuckets(async (buckets) => {
    await buckets.putLifecycle("logs", { rules: [expiringRule("old", "")] });
    const error = await assertRejects(() =>
      buckets.putLifecycle("logs", { rules: heavyRules(1000, 255, 340) })
    );
    assert(isStoreError(error, "invalid_argument"), String(error));
    assert((error as Error).message.includes("too large to store"), (error as Error).message);
    assertEquals((await buckets.getLifecycle("logs"))?.rules.map((rule) => rule.id), ["old"]);
  });
});

Deno.test("BucketService putLifecycle() validates again and stores nothing invalid", async () => {
  await withBuckets(async (buckets) => {
    const error = await assertRejects(() =>
      buckets.putLifecycle("logs", { rules: [expiringRule("a", ""), expiringRule("a", "")] })
    );
    assert(error instanceof LifecycleConfigurationError && error.kind === "invalid_argument", String(error));
    assertEquals(await buckets.getLifecycle("logs"), null);
  });
});

Deno.test("BucketService putLifecycle() throws bucket_not_found for a missing bucket", async () => {
  await withBuckets(async (buckets, temp) => {
    const error = await assertRejects(() =>
      buckets.putLifecycle("nowhere", { rules: [expiringRule("a", "")] })
    );
    assert(isStoreError(error, "bucket_not_found"), String(error));
    assertEquals(await temp.store.get(metaKeys.bucketLifecycle("nowhere", 0)), null);
  });
});

Deno.test("BucketService delete() deletes every lifecycle page in the same commit", async () => {
  await withBuckets(async (buckets, temp) => {
    await buckets.putLifecycle("logs", { rules: heavyRules(1000, 10, 20) });
    await buckets.delete("logs");
    for (let page = 0; page < 10; page++) {
      assertEquals(await temp.store.get(metaKeys.bucketLifecycle("logs", page)), null);
    }
    await buckets.create("logs", "owner");
    assertEquals(await buckets.getLifecycle("logs"), null);
  });
});
