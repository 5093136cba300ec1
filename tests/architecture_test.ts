/**
 * The layering of DESIGN.md, checked on every source file:
 *   main.ts → deploy/ → routes/ → tiers/ → storage/ → storage/core/
 * A file may import only from its own layer or a deeper one; an import into a subfolder, a sibling
 * folder or a deeper layer goes through that folder's `mod.ts`; only `storage/meta/` touches Deno KV; only `deploy/` reads the environment.
 */
import { assertEquals } from "./support/asserts.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const LAYERS = ["main.ts", "deploy/", "routes/", "tiers/", "storage/", "storage/core/"];

/** Depth of a project-relative path in the layer order (deeper = higher). */
function layerOf(path: string): number {
  let depth = -1;
  LAYERS.forEach((prefix, index) => {
    if (path === prefix || path.startsWith(prefix)) depth = index;
  });
  return depth;
}

async function sourceFiles(dir = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}${dir}`)) {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory) {
      if (["tests", "bench", "node_modules", ".git", ".data", "docs"].includes(entry.name) && dir === "") {
        continue;
      }
      out.push(...await sourceFiles(`${path}/`));
    } else if (path.endsWith(".ts") && !path.endsWith("_test.ts") && !path.includes("test_")) {
      out.push(path);
    }
  }
  return out;
}

function relativeImports(source: string): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(/(?:import|export)\s[^;]*?from\s+"([^"]+)"/g)) {
    specifiers.push(match[1]);
  }
  for (const match of source.matchAll(/import\(\s*"([^"]+)"\s*\)/g)) specifiers.push(match[1]);
  return specifiers.filter((specifier) => specifier.startsWith("."));
}

function resolve(from: string, specifier: string): string {
  return new URL(specifier, `file:///${from}`).pathname.slice(1);
}

function folderOf(path: string): string {
  return path.includes("/") ? path.slice(0, path.lastIndexOf("/") + 1) : "";
}

Deno.test("imports point one way: main → deploy → routes → tiers → storage → storage/core", async () => {
  const violations: string[] = [];
  for (const file of await sourceFiles()) {
    const source = await Deno.readTextFile(`${ROOT}${file}`);
    for (const specifier of relativeImports(source)) {
      const target = resolve(file, specifier);
      if (layerOf(target) < layerOf(file)) violations.push(`${file} imports ${target} (an upper layer)`);
    }
  }
  assertEquals(violations, []);
});

Deno.test("imports into another folder go through its mod.ts", async () => {
  const violations: string[] = [];
  for (const file of await sourceFiles()) {
    const source = await Deno.readTextFile(`${ROOT}${file}`);
    for (const specifier of relativeImports(source)) {
      const target = resolve(file, specifier);
      // Files of the same folder, or of an enclosing folder of the same layer, are the folder's own
      // business; anything else (a subfolder, a sibling, a deeper layer) is entered through mod.ts.
      const enclosing = folderOf(file).startsWith(folderOf(target)) && layerOf(target) === layerOf(file);
      if (!enclosing && !target.endsWith("/mod.ts")) violations.push(`${file} imports ${target}`);
    }
  }
  assertEquals(violations, []);
});

Deno.test("only storage/meta/ opens Deno KV and only deploy/ reads the environment", async () => {
  const violations: string[] = [];
  for (const file of await sourceFiles()) {
    const source = await Deno.readTextFile(`${ROOT}${file}`);
    if (/Deno\.openKv|Deno\.Kv\b/.test(source) && !file.startsWith("storage/meta/")) {
      violations.push(`${file} uses Deno KV`);
    }
    if (/Deno\.env/.test(source) && !file.startsWith("deploy/")) violations.push(`${file} reads Deno.env`);
  }
  assertEquals(violations, []);
});
