/**
 * aedes-persistence's own abstract suite (node_modules/aedes-persistence/abstract.js, the
 * conformance tests every aedes persistence must pass), run against the SQLite persistence with a
 * temporary file per test. The suite is written for node:test: each of its tests becomes a vitest
 * test here, given a context with what it uses of node:test's (`plan`, `assert`, `diagnostic`),
 * with node:test's meaning: `assert` is node:assert's legacy (loose) methods, each call counts
 * towards the plan, and a test whose count differs from its plan fails.
 */
import legacyAssert from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqlitePersistence } from "./sqlite-persistence";

/** The methods node:test's `t.assert` copies from node:assert (Node 20's test_runner). */
const ASSERT_METHODS = [
  "deepEqual",
  "deepStrictEqual",
  "doesNotMatch",
  "doesNotReject",
  "doesNotThrow",
  "equal",
  "fail",
  "ifError",
  "match",
  "notDeepEqual",
  "notDeepStrictEqual",
  "notEqual",
  "notStrictEqual",
  "rejects",
  "strictEqual",
  "throws",
  "ok",
] as const;

type Assert = Record<(typeof ASSERT_METHODS)[number], (...args: unknown[]) => unknown>;

interface NodeTestContext {
  plan(count: number): void;
  assert: Assert;
  diagnostic(message: string): void;
}

type AbstractSuite = (opts: { test: (name: string, fn: (t: NodeTestContext) => Promise<void>) => void; persistence: () => unknown; testAsync: boolean }) => void;

const abstractPersistence = createRequire(import.meta.url)("aedes-persistence/abstract.js") as AbstractSuite;

class Context implements NodeTestContext {
  planned: number | null = null;
  asserted = 0;
  readonly assert: Assert;

  constructor() {
    const methods = legacyAssert as unknown as Record<string, (...args: unknown[]) => unknown>;
    this.assert = Object.fromEntries(
      ASSERT_METHODS.map((name) => [
        name,
        (...args: unknown[]) => {
          this.asserted++;
          return methods[name]!(...args);
        },
      ]),
    ) as Assert;
  }

  plan(count: number): void {
    this.planned = count;
  }

  diagnostic(): void {}
}

const dir = mkdtempSync(join(tmpdir(), "fleetscope-broker-persistence-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const registered: string[] = [];

describe("aedes-persistence abstract suite, SQLite persistence", () => {
  abstractPersistence({
    testAsync: true,
    persistence: () => new SqlitePersistence({ file: join(dir, `abstract-${++files}.db`) }),
    test: (name, fn) => {
      registered.push(name);
      it(name, async () => {
        const t = new Context();
        await fn(t);
        if (t.planned !== null) expect(t.asserted, `plan expected ${t.planned} assertions`).toBe(t.planned);
      });
    },
  });
});

it("the abstract suite registered its tests", () => {
  // A suite that silently registered nothing would pass; aedes-persistence 11.0.0 has 50 tests.
  expect(registered.length).toBeGreaterThanOrEqual(50);
});
