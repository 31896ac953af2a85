/**
 * The import direction docs/architecture.md draws: no cycle between folders, pure folders free
 * of I/O, and browser folders free of server code. Read from the source text, so it runs in a
 * second and names the import that breaks a rule.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { folderCycles, folderEdges, folderOf, readImportGraph, type Module } from "../helpers/import-graph";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** Logic for any runtime: the server, the browser and the tests load these alike. */
const PURE = ["lib/mqtt", "lib/payload", "lib/capture", "lib/qos", "lib/devices", "lib/commands", "lib/topics", "lib/alerts", "lib/text", "lib/state", "lib/view", "lib/process"];
/** The browser tab's own code: may do the tab's I/O (MQTT over WebSocket, fetch), never the server's. */
const BROWSER = ["lib/browser", "lib/timetravel", "lib/api-client"];
/** Computation only, so a pure module may use it. */
const PURE_BUILTINS = new Set(["node:crypto"]);

/**
 * Why a module does I/O, as the chain of imports that reaches it ("a.ts → b.ts → node:fs"), or
 * null. Followed through value imports only: a type-only import is gone at run time.
 */
function ioChain(path: string, graph: Map<string, Module>, seen = new Map<string, string | null>()): string | null {
  if (seen.has(path)) return seen.get(path)!;
  seen.set(path, null); // a cycle inside a folder adds nothing new
  const m = graph.get(path);
  let why: string | null = null;
  if (m?.serverOnly) why = `${path} (server-only)`;
  const io = m?.packages.find((p) => (p.startsWith("node:") ? !PURE_BUILTINS.has(p) : IO_PACKAGES.has(p)));
  if (!why && io) why = `${path} → ${io}`;
  for (const i of m?.valueImports ?? []) {
    if (why) break;
    const next = ioChain(i, graph, seen);
    if (next) why = `${path} → ${next}`;
  }
  seen.set(path, why);
  return why;
}

/** The I/O a pure module reaches, if any. */
function pureViolations(m: Module, graph: Map<string, Module>): string[] {
  const why = ioChain(m.path, graph);
  return why ? [why] : [];
}

/** Packages whose values do I/O (type-only imports of them are fine anywhere). */
const IO_PACKAGES = new Set(["mqtt", "ws", "aedes", "better-sqlite3", "pg", "pg-copy-streams", "nodemailer", "pino", "pino-pretty", "prom-client", "next/server", "next/headers", "selfsigned"]);

function browserViolations(m: Module, graph: Map<string, Module>): string[] {
  const out: string[] = [];
  if (m.serverOnly) out.push(`${m.path} is server-only`);
  for (const p of m.packages) if (p.startsWith("node:") || (IO_PACKAGES.has(p) && p !== "mqtt")) out.push(`${m.path} → ${p}`);
  for (const i of m.valueImports) if (graph.get(i)?.serverOnly) out.push(`${m.path} → ${i} (server-only)`);
  return out;
}

/** The lib folders in the order of the doc's table: "| `lib/x` | runtime | what |". */
function docOrder(markdown: string): string[] {
  return [...markdown.matchAll(/^\| `(lib\/[a-z-]+)` \|/gm)].map((m) => m[1]!);
}

/** Each folder edge that points down the order (to a folder listed after it), with its import. */
function upwardViolations(edges: Map<string, Map<string, string>>, order: string[]): string[] {
  const rank = (f: string) => (f.startsWith("lib/") ? order.indexOf(f) : order.length + (f === "components" ? 0 : 1));
  const out: string[] = [];
  for (const [from, outs] of edges) for (const [to, why] of outs) if (rank(to) >= rank(from)) out.push(`${from} may not import ${to}: ${why}`);
  return out;
}

const graph = readImportGraph(ROOT, ["lib", "components", "app"]);
const inFolders = (folders: string[]) => [...graph.values()].filter((m) => folders.includes(folderOf(m.path)));

describe("the import direction", () => {
  it("has no cycle between folders", () => {
    expect(folderCycles(folderEdges(graph))).toEqual([]);
  });

  it("follows docs/architecture.md's folder order, which lists every lib folder once", () => {
    const order = docOrder(readFileSync(join(ROOT, "docs/architecture.md"), "utf8"));
    const folders = readdirSync(join(ROOT, "lib")).filter((d) => statSync(join(ROOT, "lib", d)).isDirectory()).map((d) => `lib/${d}`);
    expect([...order].sort()).toEqual(folders.sort());
    expect(upwardViolations(folderEdges(graph), order)).toEqual([]);
  });

  it("keeps the pure folders free of I/O", () => {
    expect(inFolders(PURE).length).toBeGreaterThan(50);
    expect(inFolders(PURE).flatMap((m) => pureViolations(m, graph))).toEqual([]);
  });

  it("keeps server code out of the browser's folders and components", () => {
    const browser = [...inFolders(BROWSER), ...[...graph.values()].filter((m) => m.path.startsWith("components/"))];
    expect(browser.length).toBeGreaterThan(30);
    expect(browser.flatMap((m) => browserViolations(m, graph))).toEqual([]);
  });
});

describe("the rules' reading of a repository", () => {
  const dir = mkdtempSync(join(tmpdir(), "import-graph-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };

  it("finds a cycle added between two folders, and the import that closes it", () => {
    write("lib/a/one.ts", 'import { two } from "../b/two";\nexport const one = two;\n');
    write("lib/b/two.ts", "export const two = 2;\n");
    expect(folderCycles(folderEdges(readImportGraph(dir, ["lib"])))).toEqual([]);
    write("lib/b/three.ts", 'import type { one } from "@/lib/a/one";\nexport type Three = typeof one;\n');
    const edges = folderEdges(readImportGraph(dir, ["lib"]));
    expect(folderCycles(edges)).toEqual([["lib/a", "lib/b"]]);
    expect(edges.get("lib/b")?.get("lib/a")).toBe("lib/b/three.ts → lib/a/one.ts");
    expect(upwardViolations(edges, docOrder("| `lib/b` | any | |\n| `lib/a` | any | |\n"))).toEqual(["lib/b may not import lib/a: lib/b/three.ts → lib/a/one.ts"]);
  });

  it("sees a pure module that reaches I/O, directly or through another module, and not through a type-only import", () => {
    write("lib/p/reader.ts", 'import type { Database } from "better-sqlite3";\nimport { readFileSync } from "node:fs";\nexport type D = Database;\nexport const r = readFileSync;\n');
    const m = readImportGraph(dir, ["lib"]).get("lib/p/reader.ts")!;
    expect(m.packages).toEqual(["node:fs"]);
    expect(pureViolations(m, new Map([[m.path, m]]))).toEqual(["lib/p/reader.ts → node:fs"]);
    write("lib/p/uses.ts", 'import { r } from "./reader";\nexport const u = r;\n');
    const graph = readImportGraph(dir, ["lib"]);
    expect(pureViolations(graph.get("lib/p/uses.ts")!, graph)).toEqual(["lib/p/uses.ts → lib/p/reader.ts → node:fs"]);
  });
});
