import { assert, assertEquals } from "../tests/support/asserts.ts";
import { newRandomId, newTimeOrderedId, passProgress } from "./ids.ts";

Deno.test("passProgress: the first 8 hex digits of a data id place it in a pass", () => {
  assertEquals(passProgress(""), 0);
  assertEquals(passProgress("00000000" + "f".repeat(24)), 0);
  assertEquals(passProgress("80000000aa"), 0x80000000 / 0xffffffff);
  assertEquals(passProgress("ffffffff"), 1);
  assertEquals(passProgress("8"), 0x80000000 / 0xffffffff, "a short id counts as padded with zeros");
  assertEquals(passProgress("zz"), 0);
});

Deno.test("ids: 32 lower-case hex digits; time-ordered ids sort by time", () => {
  assert(/^[0-9a-f]{32}$/.test(newRandomId()));
  const early = newTimeOrderedId(1_000);
  const late = newTimeOrderedId(2_000);
  assert(/^[0-9a-f]{32}$/.test(early) && early < late);
});
