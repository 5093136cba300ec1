import { assert, assertEquals } from "../tests/support/asserts.ts";
import { openTempCatalog, sampleHead } from "../storage/meta/meta_test_support.ts";
import type { MetadataCatalog } from "../storage/mod.ts";
import { listObjectPage, type ListPage, type ListRequest, prefixUpperBound } from "./object_lister.ts";

const BUCKET = "bucket";

async function putKeys(catalog: MetadataCatalog, keys: readonly string[], bucket = BUCKET): Promise<void> {
  for (let i = 0; i < keys.length; i += 500) {
    const tx = catalog.transaction();
    for (const key of keys.slice(i, i + 500)) tx.putObject(bucket, sampleHead(key));
    assert(await tx.commit() !== null, "commit failed");
  }
}

function list(catalog: MetadataCatalog, request: Partial<ListRequest>): Promise<ListPage> {
  return listObjectPage(catalog, BUCKET, {
    prefix: "",
    delimiter: "",
    startAfter: "",
    maxKeys: 1000,
    ...request,
  });
}

/** A page as plain data: object keys, common prefixes, truncation and the marker. */
function summary(page: ListPage) {
  return {
    keys: page.objects.map((head) => head.key),
    prefixes: page.commonPrefixes,
    isTruncated: page.isTruncated,
    lastReturned: page.lastReturned,
  };
}

/** Every key and common prefix of a listing, page by page, using `lastReturned` as the next start. */
async function listAll(
  catalog: MetadataCatalog,
  request: Partial<ListRequest>,
): Promise<{ keys: string[]; prefixes: string[]; pages: number }> {
  const keys: string[] = [];
  const prefixes: string[] = [];
  let startAfter = request.startAfter ?? "";
  for (let pages = 1; pages < 10_000; pages++) {
    const page = await list(catalog, { ...request, startAfter });
    keys.push(...page.objects.map((head) => head.key));
    prefixes.push(...page.commonPrefixes);
    if (!page.isTruncated) return { keys, prefixes, pages };
    assert(page.lastReturned !== null, "a truncated page must name its last entry");
    startAfter = page.lastReturned;
  }
  throw new Error("listing did not end");
}

const utf8Encoder = new TextEncoder();

/** Sorts by UTF-8 bytes, the order of the metadata store (and of S3). */
function byUtf8(a: string, b: string): number {
  const x = utf8Encoder.encode(a);
  const y = utf8Encoder.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

Deno.test("listObjectPage() lists every key of a bucket in key order", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, ["b", "a/b", "c", "a", "A", "a b"]);
  assertEquals(summary(await list(temp.catalog, {})), {
    keys: ["A", "a", "a b", "a/b", "b", "c"],
    prefixes: [],
    isTruncated: false,
    lastReturned: "c",
  });
});

Deno.test("listObjectPage() orders unicode keys by UTF-8 bytes", async () => {
  await using temp = await openTempCatalog();
  const keys = ["😀", "\uFFFD", "é", "a", "z", "\u{10FFFF}", "\uE000", "\u007F", "\u0080", "\u0001"];
  await putKeys(temp.catalog, keys);
  const listed = (await list(temp.catalog, {})).objects.map((head) => head.key);
  assertEquals(listed, ["\u0001", "a", "z", "\u007F", "\u0080", "é", "\uE000", "\uFFFD", "😀", "\u{10FFFF}"]);
  assertEquals(listed, [...keys].sort(byUtf8));
});

Deno.test("listObjectPage() returns nothing from an empty bucket", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, ["k"], "other-bucket");
  assertEquals(summary(await list(temp.catalog, {})), {
    keys: [],
    prefixes: [],
    isTruncated: false,
    lastReturned: null,
  });
});

Deno.test("listObjectPage() lists only keys that start with the prefix", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, [
    "phot",
    "photos/1",
    "photos/2",
    "photos0",
    "photosynthesis",
    "photos",
    "video/1",
  ]);
  assertEquals((await list(temp.catalog, { prefix: "photos/" })).objects.map((h) => h.key), [
    "photos/1",
    "photos/2",
  ]);
  assertEquals(
    (await list(temp.catalog, { prefix: "photos" })).objects.map((h) => h.key),
    ["photos", "photos/1", "photos/2", "photos0", "photosynthesis"],
  );
});

Deno.test("listObjectPage() returns an empty page for a prefix nothing starts with", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, ["a", "c"]);
  assertEquals(summary(await list(temp.catalog, { prefix: "b" })), {
    keys: [],
    prefixes: [],
    isTruncated: false,
    lastReturned: null,
  });
});

Deno.test("listObjectPage() lists keys under a prefix of astral characters", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, ["😀", "😀/a", "😀😀", "😁", "\u{10FFFF}x", "\uFFFD"]);
  assertEquals((await list(temp.catalog, { prefix: "😀" })).objects.map((h) => h.key), [
    "😀",
    "😀/a",
    "😀😀",
  ]);
  assertEquals((await list(temp.catalog, { prefix: "\u{10FFFF}" })).objects.map((h) => h.key), [
    "\u{10FFFF}x",
  ]);
});

Deno.test("listObjectPage() rolls keys up to common prefixes at the delimiter, each once", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, ["a/1", "a/2", "a/b/3", "b", "c/1", "c/2/x", "d"]);
  assertEquals(summary(await list(temp.catalog, { delimiter: "/" })), {
    keys: ["b", "d"],
    prefixes: ["a/", "c/"],
    isTruncated: false,
    lastReturned: "d",
  });
});

Deno.test("listObjectPage() rolls up only the part after the prefix", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, ["a/1", "a/2", "a/b/3", "a/b/4", "a/c/", "b/1"]);
  assertEquals(summary(await list(temp.catalog, { prefix: "a/", delimiter: "/" })), {
    keys: ["a/1", "a/2"],
    prefixes: ["a/b/", "a/c/"],
    isTruncated: false,
    lastReturned: "a/c/",
  });
});

Deno.test("listObjectPage() rolls up at a delimiter of several characters", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, ["x--1", "x--2", "x-3", "y", "z--"]);
  assertEquals(summary(await list(temp.catalog, { delimiter: "--" })), {
    keys: ["x-3", "y"],
    prefixes: ["x--", "z--"],
    isTruncated: false,
    lastReturned: "z--",
  });
});

Deno.test("listObjectPage() rolls up at an astral delimiter", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, ["a😀1", "a😀2", "b", "é😀"]);
  assertEquals(summary(await list(temp.catalog, { delimiter: "😀" })), {
    keys: ["b"],
    prefixes: ["a😀", "é😀"],
    isTruncated: false,
    lastReturned: "é😀",
  });
});

Deno.test("listObjectPage() with maxKeys 0 returns an empty page", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, ["a", "b"]);
  assertEquals(summary(await list(temp.catalog, { maxKeys: 0 })), {
    keys: [],
    prefixes: [],
    isTruncated: false,
    lastReturned: null,
  });
});

Deno.test("listObjectPage() with maxKeys 1 returns the first key and says there is more", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, ["b", "a", "c"]);
  assertEquals(summary(await list(temp.catalog, { maxKeys: 1 })), {
    keys: ["a"],
    prefixes: [],
    isTruncated: true,
    lastReturned: "a",
  });
});

Deno.test("listObjectPage() with maxKeys 1 on a one-key bucket is not truncated", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, ["only"]);
  assertEquals(summary(await list(temp.catalog, { maxKeys: 1 })), {
    keys: ["only"],
    prefixes: [],
    isTruncated: false,
    lastReturned: "only",
  });
});

Deno.test("listObjectPage() with maxKeys 1000 returns exactly 1000 keys, not truncated", async () => {
  await using temp = await openTempCatalog();
  const keys = Array.from({ length: 1000 }, (_, i) => `key-${String(i).padStart(4, "0")}`);
  await putKeys(temp.catalog, keys);
  const page = await list(temp.catalog, { maxKeys: 1000 });
  assertEquals(page.objects.map((h) => h.key), keys);
  assertEquals(page.isTruncated, false);
  assertEquals(page.lastReturned, "key-0999");
});

Deno.test("listObjectPage() with maxKeys 1000 truncates 1001 keys after the 1000th", async () => {
  await using temp = await openTempCatalog();
  const keys = Array.from({ length: 1001 }, (_, i) => `key-${String(i).padStart(4, "0")}`);
  await putKeys(temp.catalog, keys);
  const page = await list(temp.catalog, { maxKeys: 1000 });
  assertEquals(page.objects.length, 1000);
  assertEquals(page.isTruncated, true);
  assertEquals(page.lastReturned, "key-0999");
});

Deno.test("listObjectPage() lists only keys strictly after startAfter", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, ["a", "b", "c", "d"]);
  assertEquals((await list(temp.catalog, { startAfter: "b" })).objects.map((h) => h.key), ["c", "d"]);
  assertEquals((await list(temp.catalog, { startAfter: "bb" })).objects.map((h) => h.key), ["c", "d"]);
  assertEquals((await list(temp.catalog, { startAfter: "d" })).objects.map((h) => h.key), []);
});

Deno.test("listObjectPage() ignores a startAfter that sorts before the prefix", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, ["a", "p/1", "p/2", "z"]);
  assertEquals((await list(temp.catalog, { prefix: "p/", startAfter: "b" })).objects.map((h) => h.key), [
    "p/1",
    "p/2",
  ]);
});

Deno.test("listObjectPage() applies a startAfter inside the prefix", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, ["p/1", "p/2", "p/3", "q"]);
  assertEquals((await list(temp.catalog, { prefix: "p/", startAfter: "p/1" })).objects.map((h) => h.key), [
    "p/2",
    "p/3",
  ]);
});

Deno.test("listObjectPage() emits a common prefix once when a page ends on it", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, ["a/1", "a/2", "a/3", "b/1", "b/2", "c"]);
  const first = await list(temp.catalog, { delimiter: "/", maxKeys: 1 });
  assertEquals(summary(first), { keys: [], prefixes: ["a/"], isTruncated: true, lastReturned: "a/" });
  const second = await list(temp.catalog, { delimiter: "/", maxKeys: 1, startAfter: "a/" });
  assertEquals(summary(second), { keys: [], prefixes: ["b/"], isTruncated: true, lastReturned: "b/" });
  const third = await list(temp.catalog, { delimiter: "/", maxKeys: 1, startAfter: "b/" });
  assertEquals(summary(third), { keys: ["c"], prefixes: [], isTruncated: false, lastReturned: "c" });
});

Deno.test("listObjectPage() is not truncated when the page ends on the last common prefix", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, ["a", "b/1", "b/2", "b/3"]);
  assertEquals(summary(await list(temp.catalog, { delimiter: "/", maxKeys: 2 })), {
    keys: ["a"],
    prefixes: ["b/"],
    isTruncated: false,
    lastReturned: "b/",
  });
});

Deno.test("listObjectPage() skips the common prefix that holds startAfter", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, ["a/1", "a/2", "a/3", "b/1", "c"]);
  assertEquals(summary(await list(temp.catalog, { delimiter: "/", startAfter: "a/2" })), {
    keys: ["c"],
    prefixes: ["b/"],
    isTruncated: false,
    lastReturned: "c",
  });
});

Deno.test("listObjectPage() skips a nested common prefix that holds startAfter under a prefix", async () => {
  await using temp = await openTempCatalog();
  await putKeys(temp.catalog, ["p/a/1", "p/a/2", "p/b/1", "p/c", "q/1"]);
  assertEquals(summary(await list(temp.catalog, { prefix: "p/", delimiter: "/", startAfter: "p/a/1" })), {
    keys: ["p/c"],
    prefixes: ["p/b/"],
    isTruncated: false,
    lastReturned: "p/c",
  });
});

Deno.test("listObjectPage() pages through unicode keys one at a time, each exactly once", async () => {
  await using temp = await openTempCatalog();
  const keys = ["a", "é", "😀", "😀😀", "𝄞", "z", "\u0080", "日本"];
  await putKeys(temp.catalog, keys);
  const { keys: listed, pages } = await listAll(temp.catalog, { maxKeys: 1 });
  assertEquals(listed, [...keys].sort(byUtf8));
  assertEquals(pages, keys.length);
});

/** 2500 keys: every fifth at the top level, the rest spread over 37 directories. */
function manyKeys(): { all: string[]; topLevel: string[]; dirs: string[] } {
  const all: string[] = [];
  for (let i = 0; i < 2500; i++) {
    const file = `file-${String(i).padStart(4, "0")}`;
    all.push(i % 5 === 0 ? file : `dir-${String(i % 37).padStart(2, "0")}/${file}`);
  }
  const topLevel = all.filter((key) => !key.includes("/")).sort();
  const dirs = [
    ...new Set(all.filter((key) => key.includes("/")).map((key) => key.slice(0, key.indexOf("/") + 1))),
  ]
    .sort();
  return { all, topLevel, dirs };
}

Deno.test("listObjectPage() pages through 2500 keys without a delimiter, each exactly once", async () => {
  await using temp = await openTempCatalog();
  const { all } = manyKeys();
  await putKeys(temp.catalog, all);
  for (const maxKeys of [1000, 333, 7]) {
    const { keys, pages } = await listAll(temp.catalog, { maxKeys });
    assertEquals(keys, [...all].sort(), `maxKeys ${maxKeys}`);
    assertEquals(pages, Math.ceil(all.length / maxKeys), `maxKeys ${maxKeys}`);
  }
});

Deno.test("listObjectPage() pages through 2500 keys with a delimiter, each key and prefix exactly once", async () => {
  await using temp = await openTempCatalog();
  const { all, topLevel, dirs } = manyKeys();
  await putKeys(temp.catalog, all);
  for (const maxKeys of [1000, 10, 3, 1]) {
    const { keys, prefixes } = await listAll(temp.catalog, { delimiter: "/", maxKeys });
    assertEquals(keys, topLevel, `maxKeys ${maxKeys}`);
    assertEquals(prefixes, dirs, `maxKeys ${maxKeys}`);
  }
});

Deno.test("listObjectPage() pages through each directory of 2500 keys with prefix and delimiter", async () => {
  await using temp = await openTempCatalog();
  const { all, dirs } = manyKeys();
  await putKeys(temp.catalog, all);
  const seen: string[] = [];
  for (const dir of dirs) {
    const { keys, prefixes } = await listAll(temp.catalog, { prefix: dir, delimiter: "/", maxKeys: 17 });
    assertEquals(prefixes, [], dir);
    assert(
      keys.every((key) => key.startsWith(dir)),
      `${dir} listed ${keys.find((key) => !key.startsWith(dir))}`,
    );
    seen.push(...keys);
  }
  assertEquals(seen.sort(), all.filter((key) => key.includes("/")).sort());
});

interface UpperBoundCase {
  readonly prefix: string;
  readonly expected: string | undefined;
}

const UPPER_BOUND_CASES: readonly UpperBoundCase[] = [
  { prefix: "", expected: undefined },
  { prefix: "a", expected: "b" },
  { prefix: "photos/", expected: "photos0" },
  { prefix: "a\u0000", expected: "a\u0001" },
  { prefix: "\u007F", expected: "\u0080" },
  { prefix: "é", expected: "ê" },
  { prefix: "\uD7FF", expected: "\uE000" },
  { prefix: "\uFFFD", expected: "\uFFFE" },
  { prefix: "\uFFFF", expected: "\u{10000}" },
  { prefix: "a😀", expected: "a😁" },
  { prefix: "\u{10FFFE}", expected: "\u{10FFFF}" },
  { prefix: "a\u{10FFFF}", expected: "b" },
  { prefix: "a\u{10FFFF}\u{10FFFF}", expected: "b" },
  { prefix: "\u{10FFFF}", expected: undefined },
  { prefix: "\u{10FFFF}\u{10FFFF}", expected: undefined },
];

for (const { prefix, expected } of UPPER_BOUND_CASES) {
  Deno.test(`prefixUpperBound() of ${JSON.stringify(prefix)} is ${JSON.stringify(expected)}`, () => {
    assertEquals(prefixUpperBound(prefix), expected);
  });
}

Deno.test("prefixUpperBound() sorts after every key that starts with the prefix and before the next", () => {
  for (const prefix of ["a", "a/", "é", "\uFFFD", "😀", "a\u{10FFFF}"]) {
    const bound = prefixUpperBound(prefix)!;
    for (const suffix of ["", "\u0000", "z", "\uFFFF", "\u{10FFFF}\u{10FFFF}"]) {
      assert(
        byUtf8(prefix + suffix, bound) < 0,
        `${JSON.stringify(prefix + suffix)} ≥ ${JSON.stringify(bound)}`,
      );
    }
  }
});
