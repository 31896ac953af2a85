import "server-only";
/**
 * Delivers the notification outbox (lib/store/alerts.ts) to webhooks and email: POSTs each due
 * notification's payload as it was stored, signed when a secret is set (lib/alerts/signature.ts),
 * or mails it when its receiver is `mailto:` (lib/alerting/email.ts), and writes the outcome to the delivery log — delivered with the receiver's status, or failed
 * and retried with exponential backoff (1 s doubling to 5 min) until a day has passed since it
 * was made, then given up. Only the lease holder delivers (lib/alerting/service.ts): the outbox
 * is shared, and a second deliverer would send everything twice.
 *
 * The planner's snapshot and the outbox are written in one transaction before any POST, so a
 * restart neither loses a notification nor sends one again — unless it dies between a
 * receiver's answer and markDelivered, when that one is sent again (at least once).
 */
import { EventEmitter } from "node:events";
import { SIGNATURE_HEADER, signBody } from "../alerts/signature";
import type { AlertStore, NotificationRecord } from "../store/alerts";
import { logger } from "../log/logger";
import { EMAIL_SCHEME, type EmailSender } from "./email";

export const WEBHOOK_TIMEOUT_MS = 10_000;
export const RETRY_FIRST_MS = 1_000;
export const RETRY_MAX_MS = 5 * 60_000;
export const GIVE_UP_AFTER_MS = 24 * 3600_000;
/** Due notifications taken per round. */
export const DUE_BATCH = 100;
/** How often the outbox is looked at for retries that came due. */
export const POLL_MS = 1_000;
/** What is kept of a receiver's error answer in the delivery log. */
const MAX_ERROR_TEXT = 500;

export type DeliveryOutcome = "delivered" | "retry" | "failed";

/** One attempt: the receiver's answer (HTTP status, SMTP reply), or why it failed. */
type Attempt = { ok: true; status: string } | { ok: false; error: string };

/** When to try again after the `attempts`-th failure (1-based), or null to give up. */
export function nextAttemptAt(createdAt: number, attempts: number, at: number, giveUpAfterMs = GIVE_UP_AFTER_MS): number | null {
  const delay = Math.min(RETRY_FIRST_MS * 2 ** Math.min(attempts - 1, 30), RETRY_MAX_MS);
  const next = at + delay;
  return next - createdAt > giveUpAfterMs ? null : next;
}

export interface DeliveryOptions {
  store: AlertStore;
  secret?: string;
  /** Set when SMTP is configured: `mailto:` receivers are sent through it. */
  email?: Pick<EmailSender, "send">;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
  giveUpAfterMs?: number;
}

interface DeliveryEvents {
  /** One attempt's outcome. */
  attempt: [notification: NotificationRecord, outcome: DeliveryOutcome, detail: string];
  error: [Error];
}

export class NotificationDelivery extends EventEmitter<DeliveryEvents> {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private active = false;
  private readonly now: () => number;
  private readonly fetch: typeof fetch;
  /** Attempts since start, by outcome (/api/metrics). */
  readonly counts: Record<DeliveryOutcome, number> = { delivered: 0, retry: 0, failed: 0 };

  constructor(private readonly opts: DeliveryOptions) {
    super();
    this.now = opts.now ?? Date.now;
    this.fetch = opts.fetch ?? globalThis.fetch;
  }

  start(): void {
    if (this.active) return;
    this.active = true;
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
    this.kick();
  }

  /** Stops taking new rounds; waits for the one running. */
  async stop(): Promise<void> {
    this.active = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Looks at the outbox now (after a batch committed new notifications). */
  kick(): void {
    if (!this.active) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.round()
      .catch((err: unknown) => void this.emit("error", err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves once no round is running (nor asked for). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async round(): Promise<void> {
    for (;;) {
      const due = await this.opts.store.dueNotifications(this.now(), DUE_BATCH);
      if (due.length === 0 || !this.active) return;
      // In order per receiver, receivers side by side: one slow webhook holds up only its own.
      const byReceiver = new Map<string, NotificationRecord[]>();
      for (const n of due) byReceiver.set(n.receiver, [...(byReceiver.get(n.receiver) ?? []), n]);
      await Promise.all([...byReceiver.values()].map((list) => this.deliverInOrder(list)));
      if (due.length < DUE_BATCH) return;
    }
  }

  private async deliverInOrder(list: NotificationRecord[]) {
    for (const n of list) {
      if (!this.active) return;
      const ok = await this.deliver(n);
      // A receiver that failed one is not sent the next now: they would arrive out of order.
      if (!ok) return;
    }
  }

  private async deliver(n: NotificationRecord): Promise<boolean> {
    const sent = n.receiver.startsWith(EMAIL_SCHEME) ? await this.mail(n) : await this.post(n);
    if (sent.ok) {
      await this.opts.store.markDelivered(n.id, this.now(), sent.status);
      this.count(n, "delivered", sent.status);
      return true;
    }
    const at = this.now();
    const next = nextAttemptAt(n.createdAt, n.attempts + 1, at, this.opts.giveUpAfterMs);
    await this.opts.store.markFailed(n.id, at, sent.error, next);
    this.count(n, next === null ? "failed" : "retry", sent.error);
    logger("alerts").warn({ notification: n.id, receiver: n.receiver.startsWith(EMAIL_SCHEME) ? "email" : "webhook", attempt: n.attempts + 1, error: sent.error, retryAt: next }, next === null ? "alert notification failed; given up" : "alert notification failed; retried later");
    return false;
  }

  private async post(n: NotificationRecord): Promise<Attempt> {
    const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "Fleetscope-Alerts" };
    if (this.opts.secret) headers[SIGNATURE_HEADER] = signBody(this.opts.secret, n.payload);
    try {
      const res = await this.fetch(n.receiver, { method: "POST", headers, body: n.payload, signal: AbortSignal.timeout(this.opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS), redirect: "manual" });
      if (res.status >= 200 && res.status < 300) {
        await res.body?.cancel().catch(() => undefined);
        return { ok: true, status: String(res.status) };
      }
      const text = await res.text().catch(() => "");
      return { ok: false, error: `HTTP ${res.status}${text ? `: ${text.slice(0, MAX_ERROR_TEXT)}` : ""}` };
    } catch (err) {
      const e = err as Error & { cause?: { message?: string } };
      return { ok: false, error: e.name === "TimeoutError" ? `no answer in ${(this.opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS) / 1000} s` : `${e.message}${e.cause?.message ? ` (${e.cause.message})` : ""}` };
    }
  }

  private async mail(n: NotificationRecord): Promise<Attempt> {
    // Made while SMTP was configured, and the server restarted without it: kept until it is again.
    if (!this.opts.email) return { ok: false, error: "email is not configured (FLEETSCOPE_SMTP_URL is unset)" };
    try {
      return { ok: true, status: (await this.opts.email.send(n.receiver, n.payload)).slice(0, MAX_ERROR_TEXT) };
    } catch (err) {
      return { ok: false, error: (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_TEXT) };
    }
  }

  private count(n: NotificationRecord, outcome: DeliveryOutcome, detail: string) {
    this.counts[outcome]++;
    this.emit("attempt", n, outcome, detail);
  }
}
