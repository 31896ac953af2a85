/**
 * Where the e2e servers' output went (playwright.config.ts writes each server's stdout and stderr
 * to a file beside the test database), named in the report: once at the start, and for each
 * failed test with the lines each server wrote while it ran, so the server's side of a failure
 * (the bridge's errors, a stalled commit) is one file away rather than lost in the runner's output.
 */
import { existsSync, readFileSync } from "node:fs";
import type { Reporter, TestCase, TestResult } from "@playwright/test/reporter";

/** Lines in `file` so far (0 before the server has written any). */
function lineCount(file: string): number {
  if (!existsSync(file)) return 0;
  const text = readFileSync(file, "utf8");
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

export default class ServerLogReporter implements Reporter {
  private readonly files = (process.env.E2E_SERVER_LOGS ?? "").split(",").filter(Boolean);
  private readonly startedAt = new Map<TestCase, number[]>();

  printsToStdio(): boolean {
    return true;
  }

  onBegin(): void {
    process.stdout.write(`e2e servers' output: ${this.files.join(", ")}\n`);
  }

  onTestBegin(test: TestCase): void {
    this.startedAt.set(test, this.files.map(lineCount));
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const from = this.startedAt.get(test);
    this.startedAt.delete(test);
    if (result.status === test.expectedStatus || result.status === "skipped" || !from) return;
    const where = this.files.map((file, i) => `${file} lines ${from[i]! + 1}-${lineCount(file)}`).join(", ");
    process.stdout.write(`  server output while "${test.title}" ran: ${where}\n`);
  }
}
