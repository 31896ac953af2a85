import "server-only";
/**
 * POST /api/alert-rules/preview's I/O shell: reads the stored messages of the last
 * PREVIEW_WINDOW_MS through the store's paged message reads (newest first, PREVIEW_PAGE at a
 * time), at most PREVIEW_MAX_MESSAGES of them and for at most PREVIEW_BUDGET_MS, then reads them
 * oldest first with a fresh interpreter of the conventions in force — as the bridge read them —
 * into observations for the pure preview (lib/alerts/preview.ts). When a bound is reached the
 * preview covers the newest part of the window and says from when.
 *
 * Stored messages carry telemetry, liveness (status topics, Last Wills) and `seq`; command
 * outcomes and QoS flows are not among them, so those kinds are not previewed.
 */
import { observationsOf } from "../alerts/observation";
import { PreviewRun, type RulePreview } from "../alerts/preview";
import type { AlertRule } from "../alerts/rule";
import { MAX_PARSED_PAYLOAD_BYTES } from "../bridge/decode";
import type { Convention } from "../devices/convention";
import { Interpreter } from "../devices/registry";
import type { EpochMs } from "../devices/model";
import type { Store, StoredMessage } from "../store/types";

export const PREVIEW_WINDOW_MS = 24 * 3600_000;
export const PREVIEW_PAGE = 2_000;
export const PREVIEW_MAX_MESSAGES = 100_000;
export const PREVIEW_BUDGET_MS = 5_000;

const NOT_IN_MESSAGES: ReadonlySet<AlertRule["kind"]> = new Set(["qos_stuck", "command_failed"]);

export interface PreviewAnswer extends RulePreview {
  from: number;
  to: number;
  /** Messages read. */
  messages: number;
  /** A bound was reached: `from` is the oldest message read, not the window's start. */
  partial: boolean;
  /** Why the rule's kind cannot be previewed, when it cannot. */
  unsupported: string | null;
}

export async function previewRule(store: Store, rule: AlertRule, conventions: readonly Convention<unknown>[], now = Date.now()): Promise<PreviewAnswer> {
  const to = now;
  const windowStart = now - PREVIEW_WINDOW_MS;
  const run = new PreviewRun(rule);
  if (NOT_IN_MESSAGES.has(rule.kind)) {
    return { ...run.finish(to), from: windowStart, to, messages: 0, partial: false, unsupported: `${rule.kind} rules read command outcomes and QoS flows, which stored messages do not hold` };
  }
  const pages: StoredMessage[][] = [];
  let read = 0;
  let cursor: string | undefined;
  let partial = false;
  const deadline = Date.now() + PREVIEW_BUDGET_MS;
  for (;;) {
    const page = await store.queryMessages({ topic: rule.topic, from: windowStart as EpochMs, to: to as EpochMs, limit: Math.min(PREVIEW_PAGE, PREVIEW_MAX_MESSAGES - read), cursor });
    pages.push(page.messages);
    read += page.messages.length;
    if (!page.next) break;
    if (read >= PREVIEW_MAX_MESSAGES || Date.now() > deadline) {
      partial = true;
      break;
    }
    cursor = page.next;
  }
  const interpreter = new Interpreter(conventions as readonly Convention<never>[]);
  let oldest = windowStart;
  for (let p = pages.length - 1; p >= 0; p--) {
    const messages = pages[p]!;
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i]!;
      if (partial && oldest === windowStart) oldest = m.ts;
      const payload = Buffer.from(m.payload, m.encoding);
      const text = payload.byteLength <= MAX_PARSED_PAYLOAD_BYTES ? payload.toString("utf8") : null;
      const reading = interpreter.read({ topic: m.topic, payload, text, retain: m.retain, qos: m.qos, ts: m.ts });
      for (const obs of observationsOf(m.topic, reading, m.ts)) run.observe(obs);
    }
    // What was read is let go page by page.
    pages[p] = [];
  }
  return { ...run.finish(to), from: oldest, to, messages: read, partial, unsupported: null };
}
