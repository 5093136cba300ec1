import { assertEquals } from "./test_assert.ts";
import { isStoreError } from "../core/mod.ts";
import { formatShardName, parseShardName } from "./shard_name.ts";

const DATA_ID = "0123456789abcdef0123456789abcdef";

Deno.test("parseShardName() accepts 32 lower-case hex digits and indexes 0..255", () => {
  for (const index of ["0", "7", "42", "255"]) {
    assertEquals(parseShardName(DATA_ID, index), { dataId: DATA_ID, shardIndex: Number(index) });
  }
});

Deno.test("parseShardName() refuses anything that could name another file", () => {
  const cases: [dataId: string, index: string][] = [
    [DATA_ID.toUpperCase(), "0"],
    ["..", "0"],
    ["%2e%2e", "0"],
    [`../${DATA_ID.slice(3)}`, "0"],
    [DATA_ID.slice(1), "0"],
    [`${DATA_ID}0`, "0"],
    [`${DATA_ID.slice(0, 31)}g`, "0"],
    [`${DATA_ID.slice(0, 31)}\u0000`, "0"],
    ["", "0"],
    [DATA_ID, "256"],
    [DATA_ID, "-1"],
    [DATA_ID, "01"],
    [DATA_ID, "1.5"],
    [DATA_ID, "1e2"],
    [DATA_ID, " 1"],
    [DATA_ID, ""],
    [DATA_ID, "../1"],
    [DATA_ID, "0x1"],
  ];
  for (const [dataId, index] of cases) {
    let error: unknown = null;
    try {
      parseShardName(dataId, index);
    } catch (caught) {
      error = caught;
    }
    assertEquals(isStoreError(error, "invalid_argument"), true, `${JSON.stringify(dataId)} / ${index}`);
  }
});

Deno.test("formatShardName() joins data id and index with a dot", () => {
  assertEquals(formatShardName({ dataId: DATA_ID, shardIndex: 9 }), `${DATA_ID}.9`);
});
