import "server-only";
/**
 * The alert service: the I/O shell around the pure evaluator (lib/alerts/evaluator.ts) and
 * notification planner (lib/alerts/grouping.ts).
 *
 * - Evaluated where the data is: each message the bridge decodes (its `decoded` event) becomes
 *   observations (lib/alerts/observation.ts) as it arrives; command outcomes and stuck QoS flows
 *   come from the command service and the trace hub (lib/alerting/feeds.ts). One timer, at the sooner of the
 *   evaluator's next tick and the planner's next notification.
 * - Durable: the states an evaluation changed, its transitions, the episodes they open and close
 *   (the alerts of GET /api/alerts), the notifications the planner made of them and the
 *   snapshots go to the store in one transaction (AlertStore.commitTransitionBatch), batched per
 *   `flushMs` so the ingest path writes nothing per message (lib/alerting/batch-loop.ts). A start restores the states and
 *   the planner: pending timers resume, firing alerts stay firing, nothing is sent twice.
 * - Once: only the lease holder (lib/alerting/lease.ts) evaluates and delivers; the others wait
 *   with nothing attached to their bridge, and take over when the lease expires.
 *
 * With a shared subscription (FLEETSCOPE_BRIDGE_GROUP) the holder's bridge sees only its share of
 * the stream, so its rules see only that share: alerts across several bridges need each device's
 * messages on the holder's bridge (docs: README "Alerts").
 */
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { AlertEvaluator } from "../alerts/evaluator";
import { DEFAULT_GROUPING, NotificationPlanner, type GroupingOptions } from "../alerts/grouping";
import { notifyAlert } from "../alerts/labels";
import type { Observation } from "../alerts/observation";
import type { AlertRule, Severity } from "../alerts/rule";
import { isSilenced } from "../alerts/silence";
import { isFiring, type AlertState, type AlertStatus, type Transition } from "../alerts/state";
import { buildWebhookPayload } from "../alerts/webhook";
import type { Device, DeviceId } from "../devices/model";
import type { AlertRecord, AlertStateRecord, AlertStore, NewNotification, NewTransition } from "../store/alerts";
import { NotificationDelivery, type DeliveryOutcome } from "./delivery";
import { EmailSender, emailReceiver, type EmailSettings } from "./email";
import { BatchLoop } from "./batch-loop";
import { AlertFeeds, type CommandSource, type FlowSource, type MessageSource } from "./feeds";
import { Episodes, keyOf } from "./episodes";
import { Lease } from "./lease";
import { RuleBook } from "./rule-book";
import { META_SAVED_AT, META_SEQ, restoreEvaluator } from "./restore";
import { parseJson } from "./records";

/** How long observations gather before their batch is written. */
export const FLUSH_MS = 50;
/** How often the holder reads rules and silences other processes saved, and marks itself alive. */
export const POLL_MS = 5_000;
/**
 * States whose data moved on without changing status (a new value under the threshold) are
 * written at most this often: at 10,000 messages a second, writing each one per batch would
 * be the bridge's whole budget. A crash loses at most this much of such data; the restore
 * then treats it as downtime (lib/alerts/evaluator.ts).
 */
export const STATE_SYNC_MS = 5_000;
/** setTimeout's longest delay is 2^31 − 1 ms: a later deadline is looked at again after this. */
const MAX_TIMER_MS = 3600_000;
/** The receiver name in each webhook payload. */
export const RECEIVER = "fleetscope";

export const META_PLANNER = "planner";
export const META_EPISODES = "episodes";

export interface AlertServiceOptions {
  store: AlertStore;
  /** The devices the store knows, for their liveness at start. */
  devices(): Promise<Device[]>;
  /** Who holds the lease: stable across restarts of one server (its FLEETSCOPE_BRIDGE_ID). */
  holder: string;
  webhooks?: readonly string[];
  secret?: string;
  /** Set when SMTP is configured: every notification is also mailed, grouped as the webhooks are. */
  email?: EmailSettings;
  grouping?: GroupingOptions;
  /** This server's URL, for links in notifications. */
  externalURL: string;
  now?: () => number;
  fetch?: typeof fetch;
  flushMs?: number;
  pollMs?: number;
  leaseTtlMs?: number;
  leaseRenewMs?: number;
}

export interface AlertServiceStatus {
  role: "holder" | "standby" | "stopped";
  holder: string;
  rules: number;
  /** Stored rules that do not parse (a newer or hand-edited row), with why. */
  ruleProblems: { id: string; reason: string }[];
  states: number;
  /** Open and resolved states by status and severity, on the holder. */
  counts: { state: AlertStatus; severity: Severity; count: number }[];
  notifications: Record<DeliveryOutcome, number>;
  lastError: string | null;
}

interface ServiceEvents {
  /** A batch reached the store: how many transitions and notifications it held. */
  committed: [summary: { transitions: Transition[]; notifications: number }];
  /** One delivery attempt's outcome (webhook or email) (lib/alerting/delivery.ts). */
  delivery: [outcome: DeliveryOutcome, notification: { id: string; receiver: string; attempts: number }, detail: string];
  /** The lease was taken (evaluating) or lost (standby). */
  role: [role: "holder" | "standby"];
  error: [Error];
}


export class AlertService extends EventEmitter<ServiceEvents> {
  private readonly lease: Lease;
  private readonly delivery: NotificationDelivery;
  /** Where each planned notification goes: the webhooks, and the email recipients as one receiver. */
  private readonly receivers: string[];
  private readonly now: () => number;
  private readonly planner: NotificationPlanner;
  private evaluator: AlertEvaluator | null = null;
  private readonly book: RuleBook;
  private readonly episodes = new Episodes();

  /** Transitions the evaluator made that no batch has taken yet. */
  private transitions: Transition[] = [];
  // What the next batch writes; kept until a commit succeeds.
  private rows: NewTransition[] = [];
  private committing: Transition[] = [];
  /** States that changed status: written with their transitions. */
  private urgent = new Map<string, AlertStateRecord>();
  /** States whose data moved on without a transition: written every STATE_SYNC_MS, and at stop. */
  private lazy = new Map<string, AlertState>();
  private lastSyncAt = 0;
  private syncAll = false;
  private alerts = new Map<string, AlertRecord>();
  private notifications: NewNotification[] = [];
  private plannerDirty = false;

  private readonly batches: BatchLoop;
  private tickTimer: NodeJS.Timeout | null = null;
  private tickAt: number | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  /** The holder's start-up (restore), which events wait behind. */
  private loading: Promise<void> | null = null;
  private stopped = true;
  private lastError: string | null = null;
  private readonly removedRules = new Set<string>();

  private readonly feeds: AlertFeeds;

  constructor(private readonly opts: AlertServiceOptions) {
    super();
    this.now = opts.now ?? Date.now;
    this.planner = new NotificationPlanner(opts.grouping ?? DEFAULT_GROUPING);
    this.lease = new Lease({ store: opts.store, holder: opts.holder, now: this.now, ttlMs: opts.leaseTtlMs, renewMs: opts.leaseRenewMs });
    this.delivery = new NotificationDelivery({ store: opts.store, secret: opts.secret, email: opts.email && new EmailSender(opts.email), fetch: opts.fetch, now: this.now });
    this.receivers = [...(opts.webhooks ?? []), ...(opts.email ? [emailReceiver(opts.email.to)] : [])];
    this.delivery.on("error", (err) => this.fail(err));
    this.delivery.on("attempt", (n, outcome, detail) => this.emit("delivery", outcome, { id: n.id, receiver: n.receiver, attempts: n.attempts + 1 }, detail));
    this.lease.on("change", (held) => void this.onLease(held));
    this.feeds = new AlertFeeds((obs) => this.observe(obs), this.now);
    this.book = new RuleBook(opts.store);
    this.batches = new BatchLoop({ write: () => this.writeBatch(), flushMs: opts.flushMs ?? FLUSH_MS, retrying: () => this.evaluator !== null, onError: (err) => this.fail(err), after: () => this.arm() });
  }

  /** Feeds the service each message this bridge decodes (while it holds the lease). */
  watchBridge(bridge: MessageSource): this {
    this.feeds.addBridge(bridge);
    return this;
  }

  watchCommands(commands: CommandSource): this {
    this.feeds.addCommands(commands);
    return this;
  }

  /** Stuck QoS flows, each attributed to the device its topic belongs to. */
  watchFlows(hub: FlowSource, deviceOfTopic: (topic: string) => DeviceId | null): this {
    this.feeds.addFlows(hub, deviceOfTopic);
    return this;
  }

  /** Takes the lease if it can (then evaluates from the stored state) and keeps trying if not. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.lease.start();
    await this.loading;
  }

  /** Writes what is pending, gives up the lease and detaches. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.loading?.catch(() => undefined);
    this.syncAll = true;
    await this.flush();
    await this.standDown();
    await this.lease.stop();
  }

  get isHolder(): boolean {
    return this.evaluator !== null;
  }

  /** Resolves once everything observed so far is in the store and the outbox has been looked at. */
  async idle(): Promise<void> {
    await this.loading;
    while (this.batches.busy || this.transitions.length > 0 || this.rows.length > 0) await this.flush();
    await this.delivery.settled();
  }

  status(): AlertServiceStatus {
    const counts = new Map<string, { state: AlertStatus; severity: Severity; count: number }>();
    const states = this.evaluator?.states() ?? [];
    for (const s of states) {
      const severity = this.rules.get(s.rule)?.severity;
      if (!severity) continue;
      const k = `${s.status}|${severity}`;
      const c = counts.get(k);
      if (c) c.count++;
      else counts.set(k, { state: s.status, severity, count: 1 });
    }
    return {
      role: this.stopped ? "stopped" : this.evaluator ? "holder" : "standby",
      holder: this.opts.holder,
      rules: this.rules.size,
      ruleProblems: this.book.problems,
      states: states.length,
      counts: [...counts.values()],
      notifications: { ...this.delivery.counts },
      lastError: this.lastError ?? this.lease.lastError,
    };
  }

  /** The live state of a rule on a device, on the holder (group and convention for labels). */
  state(rule: string, device: string): AlertState | undefined {
    return this.evaluator?.state(rule, device as DeviceId);
  }

  /** After a route saved or deleted a rule: in force at once here (other holders read it within POLL_MS). */
  async reloadRules(): Promise<void> {
    if (!this.evaluator) return;
    await this.readRules(true);
    await this.flush();
  }

  /** After a route saved or expired a silence. */
  async reloadSilences(): Promise<void> {
    if (!this.evaluator) return;
    await this.readSilences(true);
    await this.flush();
  }

  /**
   * Acknowledges the open episode `alertId` of `rule` on `device`: a flag on its state and on
   * the episode, written before this resolves. False when this process does not hold the lease
   * or the episode is not the open one (the route then writes the episode alone).
   */
  async ack(alertId: string, rule: string, device: string, by: string, comment: string): Promise<boolean> {
    const ev = this.evaluator;
    if (!ev || this.episodes.get(rule, device)?.id !== alertId) return false;
    const r = ev.ack(rule, device as DeviceId, by, comment, this.now());
    if (!r.ok) return false;
    this.urgent.set(keyOf(rule, device), this.record(r.state));
    this.alerts.set(alertId, this.episodes.record(alertId, r.state, null, this.now()));
    await this.flush();
    return true;
  }

  // ---- lease ----

  private async onLease(held: boolean) {
    if (held && !this.evaluator && !this.stopped) {
      this.loading = this.load().catch(async (err: unknown) => {
        this.fail(err);
        // No evaluating without the stored state: tried again while the lease is still ours.
        await this.standDown();
        setTimeout(() => void (this.lease.held ? this.onLease(true) : undefined), this.opts.pollMs ?? POLL_MS).unref();
      });
      await this.loading;
      this.loading = null;
    } else if (!held && this.evaluator) {
      await this.standDown();
    }
  }

  /** Restores the stored state and starts evaluating. */
  private async load(): Promise<void> {
    const store = this.opts.store;
    const now = this.now();
    await this.readRules(false);
    const { evaluator: ev, transitions, problems, gone } = await restoreEvaluator(store, this.rules, now);
    this.book.problems.push(...problems);
    this.episodes.restore(parseJson(await store.getMeta(META_EPISODES)));
    this.planner.restore(parseJson(await store.getMeta(META_PLANNER)) ?? { groups: {} });
    // Alerts of rules deleted while this was stopped were notified firing: they are told resolved.
    for (const group of Object.values(this.planner.snapshot().groups)) {
      for (const { alert } of Object.values(group.entries)) {
        if (alert.status === "firing" && !this.rules.has(alert.labels.rule ?? "")) this.planner.update({ ...alert, status: "resolved", endsAt: now }, false, now);
      }
    }
    await this.readSilences(false);
    this.evaluator = ev;
    this.transitions.push(...transitions);
    for (const rule of gone) await store.removeStates(rule);
    // Each device's liveness as the store last heard it: a device that died while the server was
    // down is offline now, and its firing alerts become "firing, no data", not resolved.
    for (const d of await this.opts.devices()) {
      if (d.status === "unknown") continue;
      this.observe({ type: "liveness", device: { id: d.id, group: d.group, convention: d.convention }, t: now, status: d.status, reason: d.statusReason ?? d.status, since: d.since ?? now });
    }
    this.plannerDirty = true;
    this.episodes.dirty = true;
    this.feeds.attach();
    this.pollTimer = setInterval(() => void this.poll(), this.opts.pollMs ?? POLL_MS);
    this.pollTimer.unref();
    this.delivery.start();
    this.emit("role", "holder");
    await this.flush();
  }

  private async standDown() {
    const was = this.evaluator !== null;
    this.feeds.detach();
    if (this.tickTimer) clearTimeout(this.tickTimer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.tickTimer = this.pollTimer = null;
    this.tickAt = null;
    await this.batches.stop();
    await this.delivery.stop();
    // What was not written is the next holder's to evaluate again from the stored state.
    this.evaluator = null;
    this.transitions = [];
    this.rows = [];
    this.committing = [];
    this.urgent.clear();
    this.lazy.clear();
    this.alerts.clear();
    this.notifications = [];
    if (was && !this.stopped) this.emit("role", "standby");
  }

  // ---- observations ----

  private observe(obs: Observation) {
    const ev = this.evaluator;
    if (!ev) return;
    const out = ev.observe(obs);
    if (out.length > 0) this.transitions.push(...out);
    this.batches.soon();
  }

  private onTick() {
    this.tickTimer = null;
    this.tickAt = null;
    const ev = this.evaluator;
    if (!ev) return;
    const out = ev.tick(this.now());
    if (out.length > 0) this.transitions.push(...out);
    void this.flush();
  }

  /** One timer at the sooner of the evaluator's next tick and the planner's next notification. */
  private arm() {
    const ev = this.evaluator;
    if (!ev) return;
    const a = ev.nextTickAt();
    const b = this.planner.nextAt();
    const at = a === null ? b : b === null ? a : Math.min(a, b);
    if (at === this.tickAt) return;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    this.tickTimer = null;
    this.tickAt = at;
    if (at === null) return;
    this.tickTimer = setTimeout(() => this.onTick(), Math.min(Math.max(0, at - this.now()), MAX_TIMER_MS));
  }

  // ---- writing ----

  /** Writes what is pending as one batch (lib/alerting/batch-loop.ts). */
  flush(): Promise<void> {
    return this.batches.now();
  }

  private record(s: AlertState): AlertStateRecord {
    return { rule: s.rule, device: s.device, state: JSON.stringify(s), updatedAt: this.now() };
  }

  /**
   * Takes what the evaluator did since the last batch into the pending batch — each transition
   * into its episode once, so a retried batch writes the same rows — then commits all of it.
   */
  private async writeBatch(): Promise<void> {
    const ev = this.evaluator;
    if (!ev) return;
    const store = this.opts.store;
    const now = this.now();
    for (const s of ev.takeDirty()) this.lazy.set(keyOf(s.rule, s.device), s);
    const transitions = this.transitions;
    this.transitions = [];
    const touched = new Map<string, { last: Transition; fresh: boolean }>();
    for (const t of transitions) {
      const key = keyOf(t.rule, t.device);
      const { episode, fresh } = this.episodes.of(t, this.rules.get(t.rule)?.severity);
      this.rows.push({ rule: t.rule, device: t.device, from: t.from, to: t.to, at: t.at, reason: t.reason, value: t.value === null ? null : JSON.stringify(t.value), episode: episode.id });
      this.committing.push(t);
      touched.set(episode.id, { last: t, fresh: fresh || (touched.get(episode.id)?.fresh ?? false) });
      // A state the evaluator dropped (its rule deleted) is not written back.
      const live = ev.state(t.rule, t.device);
      this.lazy.delete(key);
      if (live) this.urgent.set(key, this.record(live));
      this.notify(t.rule, t.device, now);
    }
    for (const [id, { last, fresh }] of touched) {
      // An operator may have acknowledged it through another server: that ack stays.
      const stored = fresh ? null : await store.getAlert(id);
      this.alerts.set(id, this.episodes.record(id, ev.state(last.rule, last.device) ?? null, last, this.now(), stored?.ack ?? null));
    }
    for (const p of this.planner.due(now)) {
      this.plannerDirty = true;
      const ids = [...new Set(p.alerts.flatMap((a) => this.episodes.get(a.labels.rule ?? "", a.labels.device ?? "")?.id ?? []))];
      for (const receiver of this.receivers) {
        const payload = JSON.stringify(buildWebhookPayload({ receiver: RECEIVER, groupLabels: p.groupLabels, externalURL: this.opts.externalURL, alerts: p.alerts }));
        this.notifications.push({ id: randomUUID(), receiver, payload, alerts: ids, createdAt: now, nextAt: now });
      }
    }
    const sync = this.syncAll || now - this.lastSyncAt >= STATE_SYNC_MS;
    const quiet = this.rows.length === 0 && this.urgent.size === 0 && this.alerts.size === 0 && this.notifications.length === 0 && !this.plannerDirty && !this.episodes.dirty;
    // Nothing changed but data: no transaction (each would wait on the bridge's writer for the
    // store's write lock), until the states are due to be written anyway.
    if (quiet && !sync) return;
    const lazy = sync ? [...this.lazy.values()].filter((s) => ev.state(s.rule, s.device) === s).map((s) => this.record(s)) : [];
    const meta: Record<string, string> = { [META_SAVED_AT]: String(now) };
    if (this.plannerDirty) meta[META_PLANNER] = JSON.stringify(this.planner.snapshot());
    if (this.episodes.dirty) meta[META_EPISODES] = this.episodes.snapshot((rule, device) => ev.state(rule, device as DeviceId) !== undefined);
    // Written only while the lease is surely ours (lib/alerting/lease.ts).
    if (!this.lease.valid(now)) throw new Error("the alert lease ran out before the batch could be written");
    const sent = this.notifications.length;
    // Lazy states first: the store keeps the last of a (rule, device) given twice.
    await store.commitTransitionBatch({ states: [...lazy, ...this.urgent.values()], transitions: this.rows, alerts: [...this.alerts.values()], notifications: this.notifications, meta });
    const committed = this.committing;
    this.rows = [];
    this.committing = [];
    this.urgent.clear();
    if (sync) {
      this.lazy.clear();
      this.lastSyncAt = now;
      this.syncAll = false;
    }
    this.alerts.clear();
    this.notifications = [];
    this.plannerDirty = false;
    this.episodes.dirty = false;
    this.lastError = null;
    for (const id of this.removedRules) await store.removeStates(id);
    this.removedRules.clear();
    if (sent > 0) this.delivery.kick();
    if (committed.length > 0 || sent > 0) this.emit("committed", { transitions: committed, notifications: sent });
  }

  /** Tells the planner what a state now is, for firing and resolved alerts. */
  private notify(rule: string, device: string, now: number, state?: AlertState, ruleOf?: AlertRule) {
    const r = ruleOf ?? this.rules.get(rule);
    const s = state ?? this.evaluator?.state(rule, device as DeviceId);
    if (!r || !s) return;
    const a = notifyAlert(r, s, this.opts.externalURL);
    if (!a) return;
    this.planner.update(a, isSilenced(a, this.book.silences, now), now);
    this.plannerDirty = true;
  }

  // ---- rules and silences ----

  private async poll() {
    if (!this.evaluator) return;
    try {
      await this.readRules(true);
      await this.readSilences(true);
      if ([...this.rules.values()].some((r) => r.kind === "loss")) await this.opts.store.setMeta(META_SEQ, JSON.stringify(this.evaluator.snapshot(this.now()).seq));
    } catch (err) {
      this.fail(err);
    }
    // Marks the holder alive: a restart counts downtime from here, not from the last change.
    this.batches.soon();
  }

  /** Reads the stored rules; `apply`: hands a change to the running evaluator. */
  private async readRules(apply: boolean) {
    const old = await this.book.readRules(apply);
    const rules = this.book.rules;
    const ev = this.evaluator;
    if (!old || !apply || !ev) return;
    const now = this.now();
    // The states setRules will end, as they are now: their resolve is notified with the old rule.
    const before = new Map<string, { rule: AlertRule; state: AlertState }>();
    for (const s of ev.states()) {
      const was = old.get(s.rule);
      const is = rules.get(s.rule);
      if (was && (!is || JSON.stringify(was) !== JSON.stringify(is)) && isFiring(s.status)) before.set(keyOf(s.rule, s.device), { rule: was, state: structuredClone(s) });
    }
    const out = ev.setRules([...rules.values()], now);
    this.transitions.push(...out);
    for (const t of out) {
      const b = before.get(keyOf(t.rule, t.device));
      if (b && !ev.state(t.rule, t.device)) this.notify(t.rule, t.device, now, { ...b.state, status: t.to, since: t.at, resolvedAt: t.at, recent: [...b.state.recent, t] }, b.rule);
    }
    // Their stored states go once the batch with their last transitions is in.
    for (const id of old.keys()) if (!rules.has(id)) this.removedRules.add(id);
  }

  private async readSilences(apply: boolean) {
    const now = this.now();
    if (!(await this.book.readSilences(now, apply))) return;
    if (!apply) return;
    // A silence that began or ended changes what firing alerts are told.
    for (const s of this.evaluator?.states() ?? []) if (isFiring(s.status)) this.notify(s.rule, s.device, now);
    this.batches.soon();
  }

  private get rules(): Map<string, AlertRule> {
    return this.book.rules;
  }

  private fail(err: unknown) {
    const error = err instanceof Error ? err : new Error(String(err));
    this.lastError = error.message;
    if (this.listenerCount("error") > 0) this.emit("error", error);
  }
}
