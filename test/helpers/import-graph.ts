/**
 * The repository's import graph, read from the source text: every relative or "@/" import of a
 * module under lib/, components/ and app/, and each module's own runtime marks. The
 * import-direction test (test/architecture/) checks it against docs/architecture.md's rules.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix } from "node:path";

export interface Module {
  /** Repo-relative path, "lib/store/sqlite/store.ts". */
  path: string;
  /** Repo-relative paths of the modules it imports (type-only imports included). */
  imports: string[];
  /** Those of `imports` it needs at run time: not type-only. */
  valueImports: string[];
  /** Packages and node: builtins it imports for their values (type-only imports left out). */
  packages: string[];
  serverOnly: boolean;
}

const SOURCE = /\.(ts|tsx|mjs)$/;
// `import … from "x"` and `export … from "x"` (lists may span lines), `import "x"`, `import("x")`.
const SPECIFIER = /(?:^\s*(?:import|export)\s[^;]*?\bfrom\s*|^\s*import\s*|\bimport\s*\(\s*)(["'])([^"'\s(),;]+)\1/gm;
const EXTENSIONS = ["", ".ts", ".tsx", ".mjs", "/index.ts", "/index.tsx"];

function walk(root: string, dir: string, out: string[]): void {
  for (const name of readdirSync(join(root, dir))) {
    const rel = posix.join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) walk(root, rel, out);
    // Fixtures are scripts that make a test's input, not part of the product.
    else if (SOURCE.test(name) && !/\.test\.tsx?$/.test(name) && !rel.includes("/fixtures/")) out.push(rel);
  }
}

/** The modules under `folders` of the repository at `root`; tests are left out. */
export function readImportGraph(root: string, folders: string[]): Map<string, Module> {
  const paths: string[] = [];
  for (const f of folders) walk(root, f, paths);
  const known = new Set(paths);
  const graph = new Map<string, Module>();
  for (const path of paths) {
    const text = readFileSync(join(root, path), "utf8");
    const m: Module = { path, imports: [], valueImports: [], packages: [], serverOnly: /^import "server-only";/m.test(text) };
    for (const [statement, , spec] of text.matchAll(SPECIFIER)) {
      if (!spec) continue;
      const typeOnly = /^\s*(?:import|export)\s+type\s/.test(statement);
      const local = spec.startsWith("@/") ? spec.slice(2) : spec.startsWith(".") ? posix.normalize(posix.join(posix.dirname(path), spec)) : null;
      if (local === null) {
        if (!typeOnly) m.packages.push(spec);
      }
      else {
        const hit = EXTENSIONS.map((e) => local + e).find((c) => known.has(c));
        if (hit) m.imports.push(hit);
        if (hit && !typeOnly) m.valueImports.push(hit);
      }
    }
    graph.set(path, m);
  }
  return graph;
}

/** "lib/store/sqlite/store.ts" → "lib/store"; "components/wire/X.tsx" → "components". */
export function folderOf(path: string): string {
  const parts = path.split("/");
  return parts[0] === "lib" && parts.length > 2 ? `lib/${parts[1]}` : parts[0]!;
}

/** The folder-level edges, each with one module import that makes it. */
export function folderEdges(graph: Map<string, Module>): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  for (const m of graph.values()) {
    const from = folderOf(m.path);
    for (const to of m.imports.map(folderOf)) {
      if (to === from) continue;
      const out = edges.get(from) ?? new Map<string, string>();
      if (!out.has(to)) out.set(to, `${m.path} → ${m.imports.find((i) => folderOf(i) === to)}`);
      edges.set(from, out);
    }
  }
  return edges;
}

/** Folder cycles, one per strongly connected component of two or more folders (Tarjan). */
export function folderCycles(edges: Map<string, Map<string, string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  const nodes = new Set([...edges.keys(), ...[...edges.values()].flatMap((e) => [...e.keys()])]);
  for (const v of [...nodes].sort()) if (!index.has(v)) visit(v);
  return found;
}
