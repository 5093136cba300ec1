import { assertEquals } from "../tests/support/asserts.ts";
import { assertThrows } from "../tests/support/throws_test_support.ts";
import { isStoreError, type ObjectHead } from "../storage/mod.ts";
import { checkWriteCondition, NO_CONDITION, type WriteCondition } from "./write_condition.ts";

const HEAD = { key: "k", etag: "abc" } as ObjectHead;

Deno.test("checkWriteCondition: every condition against a present and an absent key", () => {
  const cases: Array<[WriteCondition, ObjectHead | null, string | null]> = [
    [NO_CONDITION, null, null],
    [NO_CONDITION, HEAD, null],
    [{ ifNoneMatch: "*" }, null, null],
    [{ ifNoneMatch: "*" }, HEAD, "precondition_failed"],
    [{ ifMatch: "abc" }, HEAD, null],
    [{ ifMatch: "abd" }, HEAD, "precondition_failed"],
    [{ ifMatch: "*" }, HEAD, null],
    [{ ifMatch: "abc" }, null, "object_not_found"],
    [{ ifMatch: "*" }, null, "object_not_found"],
    [{ ifMatch: "abc", ifNoneMatch: "*" }, HEAD, "precondition_failed"],
  ];
  for (const [condition, current, expected] of cases) {
    const run = () => checkWriteCondition(condition, current, "b", "k");
    if (expected === null) assertEquals(run(), undefined);
    else {
      const error = assertThrows(run);
      assertEquals(isStoreError(error) ? error.kind : String(error), expected);
    }
  }
});

Deno.test("checkWriteCondition: ifDataId holds only for that very write", () => {
  const head = { key: "k", dataId: "d1", etag: "e" } as ObjectHead;
  checkWriteCondition({ ifDataId: "d1" }, head, "b", "k");
  assertThrows(() => checkWriteCondition({ ifDataId: "d2" }, head, "b", "k"));
  assertThrows(() => checkWriteCondition({ ifDataId: "d1" }, null, "b", "k"));
});
