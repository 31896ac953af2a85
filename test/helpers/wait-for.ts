/**
 * Waits for a condition that only another process can make true (a row another process commits,
 * say), checking every `everyMs`; fails after `timeoutMs` with `what` in the message. Where the
 * test can await an event instead, it does.
 */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 30_000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
