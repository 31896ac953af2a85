/**
 * The contract every Store's `alerts` passes (lib/store/alerts.ts). Each implementation's test
 * file calls `alertsContract` with a factory that returns a fresh, empty store, and one that opens
 * the same database again for the same key (for the reopen test).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AlertRecord, AlertStateRecord, NewNotification, NewTransition, SilenceRecord } from "../lib/store/alerts";
import { InvalidCursorError, type Store } from "../lib/store/types";

/** 2026-01-01: epoch ms past 2^32, as every real one is. */
const T0 = 1_767_225_600_000;
/** Text a user typed: quotes, a statement, array and JSON punctuation, backslashes, a NUL-free oddity. */
const HOSTILE = `o'brien "x"); DROP TABLE alerts; -- {a,b} \\ NULL ✓`;

const transition = (n: number, extra: Partial<NewTransition> = {}): NewTransition => ({
  rule: "hot", device: "arm-1", from: "normal", to: "pending", at: T0 + n, reason: `temp ${n} above 30`, value: JSON.stringify(30 + n), episode: "hot/arm-1/1", ...extra,
});

const alert = (id: string, startedAt: number, extra: Partial<AlertRecord> = {}): AlertRecord => ({
  id, rule: "hot", device: "arm-1", state: "firing", severity: "major", startedAt, endedAt: null, lastValue: "31.5", ack: null, updatedAt: startedAt, ...extra,
});

const silence = (id: string, startsAt: number, endsAt: number, createdAt = startsAt): SilenceRecord => ({
  id, body: JSON.stringify({ matchers: [{ name: "device", op: "=", value: "arm-1" }], comment: "maintenance" }), createdBy: "ada", createdAt, startsAt, endsAt,
});

const notification = (id: string, nextAt: number, alerts: string[] = ["hot/arm-1/1"], createdAt = nextAt): NewNotification => ({
  id, receiver: "http://127.0.0.1:9/hook", payload: JSON.stringify({ version: "4", status: "firing" }), alerts, createdAt, nextAt,
});

const state = (rule: string, device: string, body: object, updatedAt = T0): AlertStateRecord => ({ rule, device, state: JSON.stringify(body), updatedAt });

export function alertsContract(name: string, open: () => Promise<Store>, openAt: (key: string) => Promise<Store>) {
  describe(`${name} alerts contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it("saves rules, replaces a rule's body keeping who made it and when, and removes them", async () => {
      const a = store.alerts;
      expect(await a.listRules()).toEqual([]);
      const body = JSON.stringify({ id: "hot", name: HOSTILE, kind: "threshold", field: "temp", op: "above", value: 30 });
      await a.saveRule({ id: "hot", body, createdAt: T0 + 2, createdBy: HOSTILE, updatedAt: T0 + 2, updatedBy: HOSTILE });
      await a.saveRule({ id: "cold", body: "{}", createdAt: T0 + 1, createdBy: "ada", updatedAt: T0 + 1, updatedBy: "ada" });
      await a.saveRule({ id: "hot", body: `{"v":2}`, createdAt: T0 + 9, createdBy: "bob", updatedAt: T0 + 5, updatedBy: "bob" });
      expect(await a.listRules()).toEqual([
        { id: "cold", body: "{}", createdAt: T0 + 1, createdBy: "ada", updatedAt: T0 + 1, updatedBy: "ada" },
        { id: "hot", body: `{"v":2}`, createdAt: T0 + 2, createdBy: HOSTILE, updatedAt: T0 + 5, updatedBy: "bob" },
      ]);
      expect(await a.getRule("cold")).toMatchObject({ id: "cold", body: "{}" });
      expect(await a.getRule("nope")).toBeNull();
      expect(await a.removeRule("cold")).toBe(true);
      expect(await a.removeRule("cold")).toBe(false);
      expect((await a.listRules()).map((r) => r.id)).toEqual(["hot"]);
    });

    it("upserts many states at once, the last of a pair given twice winning, and removes a rule's states", async () => {
      const a = store.alerts;
      expect(await a.loadStates()).toEqual([]);
      await a.saveStates([state("hot", "arm-2", { status: "normal" }), state("hot", "arm-1", { status: "pending" }), state("cold", HOSTILE, { s: HOSTILE })]);
      await a.saveStates([state("hot", "arm-1", { status: "firing" }, T0 + 1), state("hot", "arm-1", { status: "resolved" }, T0 + 2)]);
      expect(await a.loadStates()).toEqual([
        state("cold", HOSTILE, { s: HOSTILE }),
        state("hot", "arm-1", { status: "resolved" }, T0 + 2),
        state("hot", "arm-2", { status: "normal" }),
      ]);
      await a.saveStates([]);
      expect(await a.removeStates("hot")).toBe(2);
      expect(await a.removeStates("hot")).toBe(0);
      expect((await a.loadStates()).map((s) => s.rule)).toEqual(["cold"]);
    });

    it("keeps transitions append-only, newest first, filtered, and pages through them without repeats", async () => {
      const a = store.alerts;
      // Out of order in time (a spooled message arrives late), and two at the same instant.
      await a.appendTransitions([transition(5), transition(1, { device: "arm-2", episode: "hot/arm-2/1" }), transition(3, { value: null, reason: HOSTILE })]);
      await a.appendTransitions([transition(3, { to: "firing", from: "pending" }), transition(7, { rule: "cold", episode: "cold/arm-1/1" }), transition(2)]);
      await a.appendTransitions([]);
      const all = await a.listTransitions({ limit: 100 });
      expect(all.next).toBeNull();
      expect(all.transitions.map((t) => t.at - T0)).toEqual([7, 5, 3, 3, 2, 1]);
      // Same instant: the later appended first.
      expect(all.transitions[2]).toMatchObject({ from: "pending", to: "firing" });
      expect(all.transitions[3]).toMatchObject({ reason: HOSTILE, value: null, from: "normal", to: "pending", rule: "hot", device: "arm-1", episode: "hot/arm-1/1" });
      expect(all.transitions[1]!.value).toBe("35");
      expect(new Set(all.transitions.map((t) => t.id)).size).toBe(6);
      expect(all.transitions.every((t) => Number.isInteger(t.id))).toBe(true);
      // Ids follow the order appended, within one call and across calls.
      expect([...all.transitions].sort((x, y) => x.id - y.id).map((t) => t.at - T0)).toEqual([5, 1, 3, 3, 7, 2]);

      const seen: number[] = [];
      let before: number | undefined;
      let pages = 0;
      do {
        const page = await a.listTransitions({ limit: 2, before });
        seen.push(...page.transitions.map((t) => t.id));
        before = page.next ?? undefined;
        pages++;
      } while (before !== undefined);
      expect(pages).toBe(3);
      expect(seen).toEqual(all.transitions.map((t) => t.id));

      expect((await a.listTransitions({ limit: 10, device: "arm-2" })).transitions.map((t) => t.at - T0)).toEqual([1]);
      expect((await a.listTransitions({ limit: 10, rule: "cold" })).transitions.map((t) => t.at - T0)).toEqual([7]);
      expect((await a.listTransitions({ limit: 10, episode: "hot/arm-1/1" })).transitions.map((t) => t.at - T0)).toEqual([5, 3, 3, 2]);
      expect((await a.listTransitions({ limit: 10, from: T0 + 2, to: T0 + 5 })).transitions.map((t) => t.at - T0)).toEqual([5, 3, 3, 2]);
      const filtered = await a.listTransitions({ limit: 1, device: "arm-1", from: T0 + 3 });
      expect(filtered.transitions.map((t) => t.at - T0)).toEqual([7]);
      const next = await a.listTransitions({ limit: 10, device: "arm-1", from: T0 + 3, before: filtered.next! });
      expect(next.transitions.map((t) => t.at - T0)).toEqual([5, 3, 3]);
      expect(next.next).toBeNull();
    });

    it("appends a batch of transitions whole or not at all", async () => {
      const a = store.alerts;
      await a.appendTransitions([transition(1)]);
      const bad = { ...transition(3), reason: null } as unknown as NewTransition;
      await expect(a.appendTransitions([transition(2), bad, transition(4)])).rejects.toThrow();
      expect((await a.listTransitions({ limit: 10 })).transitions.map((t) => t.at - T0)).toEqual([1]);
    });

    it("upserts episodes and lists them newest first by start, filtered by state, device and time, paging without repeats", async () => {
      const a = store.alerts;
      await a.upsertAlert(alert("e1", T0 + 10, { state: "resolved", endedAt: T0 + 20 }));
      await a.upsertAlert(alert("e2", T0 + 30, { state: "pending", device: "arm-2", lastValue: null }));
      await a.upsertAlert(alert("e3", T0 + 30, { device: HOSTILE }));
      await a.upsertAlert(alert("e4", T0 + 40, { state: "firing_no_data", severity: "critical" }));
      await a.upsertAlert(alert("e5", T0 + 5, { state: "resolved", endedAt: T0 + 8 }));
      // An update: every column is written, and its place in the order stays.
      await a.upsertAlert(alert("e2", T0 + 30, { state: "firing", device: "arm-2", lastValue: `"LWT offline"`, updatedAt: T0 + 35 }));
      expect(await a.getAlert("e2")).toEqual(alert("e2", T0 + 30, { state: "firing", device: "arm-2", lastValue: `"LWT offline"`, updatedAt: T0 + 35 }));
      expect(await a.getAlert("nope")).toBeNull();

      const all = await a.listAlerts({ limit: 100 });
      expect(all.next).toBeNull();
      expect(all.alerts.map((x) => x.id)).toEqual(["e4", "e3", "e2", "e1", "e5"]);
      expect(all.alerts[3]).toEqual(alert("e1", T0 + 10, { state: "resolved", endedAt: T0 + 20 }));

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await a.listAlerts({ limit: 2, cursor });
        expect(page.alerts.length).toBeLessThanOrEqual(2);
        seen.push(...page.alerts.map((x) => x.id));
        cursor = page.next ?? undefined;
      } while (cursor);
      expect(seen).toEqual(["e4", "e3", "e2", "e1", "e5"]);

      const ids = async (q: Parameters<typeof a.listAlerts>[0]) => (await a.listAlerts(q)).alerts.map((x) => x.id);
      expect(await ids({ limit: 10, state: ["firing", "firing_no_data"] })).toEqual(["e4", "e3", "e2"]);
      expect(await ids({ limit: 10, state: ["resolved"] })).toEqual(["e1", "e5"]);
      expect(await ids({ limit: 10, state: [] })).toEqual([]);
      expect(await ids({ limit: 10, device: HOSTILE })).toEqual(["e3"]);
      // Open at some time in [from, to]: e1 (10..20) overlaps [15, 25]; e5 (5..8) ended before it; e2, e3, e4 started after it.
      expect(await ids({ limit: 10, from: T0 + 15, to: T0 + 25 })).toEqual(["e1"]);
      expect(await ids({ limit: 10, from: T0 + 21 })).toEqual(["e4", "e3", "e2"]);
      expect(await ids({ limit: 10, to: T0 + 9 })).toEqual(["e5"]);
      const first = await a.listAlerts({ limit: 1, state: ["firing"] });
      expect(first.alerts.map((x) => x.id)).toEqual(["e3"]);
      expect(await ids({ limit: 10, state: ["firing"], cursor: first.next! })).toEqual(["e2"]);
      await expect(a.listAlerts({ limit: 10, cursor: "bogus" })).rejects.toBeInstanceOf(InvalidCursorError);
    });

    it("sets and clears an acknowledgement on an episode", async () => {
      const a = store.alerts;
      await a.upsertAlert(alert("e1", T0));
      const ack = JSON.stringify({ by: HOSTILE, at: T0 + 1, comment: "looking" });
      expect(await a.setAck("e1", ack)).toBe(true);
      expect((await a.getAlert("e1"))!.ack).toBe(ack);
      expect(await a.setAck("e1", null)).toBe(true);
      expect((await a.getAlert("e1"))!.ack).toBeNull();
      expect(await a.setAck("nope", ack)).toBe(false);
    });

    it("lists silences newest first, those active at a time, and expires one keeping its row", async () => {
      const a = store.alerts;
      await a.saveSilence(silence("s1", T0 + 10, T0 + 20));
      await a.saveSilence(silence("s2", T0 + 15, T0 + 30));
      await a.saveSilence({ ...silence("s3", T0 + 40, T0 + 50), createdBy: HOSTILE, body: JSON.stringify({ comment: HOSTILE }) });
      await expect(a.saveSilence(silence("s1", T0, T0 + 1))).rejects.toThrow();
      expect((await a.listSilences()).map((s) => s.id)).toEqual(["s3", "s2", "s1"]);
      expect(await a.listSilences({})).toHaveLength(3);
      expect((await a.listSilences())[0]).toEqual({ ...silence("s3", T0 + 40, T0 + 50), createdBy: HOSTILE, body: JSON.stringify({ comment: HOSTILE }) });
      const active = async (t: number) => (await a.listSilences({ activeAt: T0 + t })).map((s) => s.id);
      // From startsAt (inclusive) to endsAt (exclusive), as lib/alerts/silence.ts isActive.
      expect(await active(9)).toEqual([]);
      expect(await active(10)).toEqual(["s1"]);
      expect(await active(15)).toEqual(["s2", "s1"]);
      expect(await active(20)).toEqual(["s2"]);
      expect(await active(30)).toEqual([]);
      expect(await active(45)).toEqual(["s3"]);

      expect(await a.expireSilence("s2", T0 + 18)).toBe(true);
      expect(await active(18)).toEqual(["s1"]);
      expect(await active(17)).toEqual(["s2", "s1"]);
      expect(await a.expireSilence("s2", T0 + 25)).toBe(false);
      expect(await a.expireSilence("nope", T0)).toBe(false);
      // A silence not yet started can be expired too: it never becomes active.
      expect(await a.expireSilence("s3", T0 + 35)).toBe(true);
      expect(await active(45)).toEqual([]);
      expect((await a.listSilences()).map((s) => [s.id, s.endsAt - T0])).toEqual([["s3", 35], ["s2", 18], ["s1", 20]]);
    });

    it("keeps meta values by key, replacing them", async () => {
      const a = store.alerts;
      expect(await a.getMeta("evaluator")).toBeNull();
      const big = JSON.stringify({ states: Array.from({ length: 2000 }, (_, i) => ({ i, reason: HOSTILE })) });
      await a.setMeta("evaluator", big);
      await a.setMeta(HOSTILE, "x");
      expect(await a.getMeta("evaluator")).toBe(big);
      await a.setMeta("evaluator", "{}");
      expect(await a.getMeta("evaluator")).toBe("{}");
      expect(await a.getMeta(HOSTILE)).toBe("x");
    });

    it("keeps the audit trail newest first, narrowed by exact target", async () => {
      const a = store.alerts;
      await a.appendAudit({ at: T0, actor: "admin", action: "rule.created", target: "rule:hot", doc: '{"id":"hot"}' });
      await a.appendAudit({ at: T0 + 1, actor: HOSTILE, action: "alert.acked", target: "alert:a1", doc: JSON.stringify({ comment: HOSTILE }) });
      await a.appendAudit({ at: T0 + 2, actor: "admin", action: "rule.deleted", target: "rule:hot", doc: null });
      await a.appendAudit({ at: T0 + 3, actor: "admin", action: "rule.created", target: "rule:hotter", doc: "{}" });
      expect((await a.listAudit({ limit: 10 })).map((e) => e.at - T0)).toEqual([3, 2, 1, 0]);
      expect(await a.listAudit({ target: "rule:hot", limit: 10 })).toEqual([
        { n: expect.any(Number), at: T0 + 2, actor: "admin", action: "rule.deleted", target: "rule:hot", doc: null },
        { n: expect.any(Number), at: T0, actor: "admin", action: "rule.created", target: "rule:hot", doc: '{"id":"hot"}' },
      ]);
      expect((await a.listAudit({ target: "alert:a1", limit: 1 }))[0]).toMatchObject({ actor: HOSTILE, doc: JSON.stringify({ comment: HOSTILE }) });
      expect(await a.listAudit({ target: "rule:%", limit: 10 })).toEqual([]);
    });

    it("gives a lease to one holder at a time, renews it for that holder, and lets another take it once expired or released", async () => {
      const a = store.alerts;
      expect(await a.takeLease("lease", "server-a", T0, T0 + 100)).toBe(true);
      expect(await a.takeLease("lease", "server-b", T0 + 50, T0 + 150)).toBe(false);
      expect(await a.takeLease("lease", "server-a", T0 + 60, T0 + 160)).toBe(true);
      // Still server-a's at 159: the renewal moved its expiry.
      expect(await a.takeLease("lease", "server-b", T0 + 159, T0 + 259)).toBe(false);
      expect(await a.takeLease("lease", "server-b", T0 + 160, T0 + 260)).toBe(true);
      expect(await a.takeLease("lease", "server-a", T0 + 170, T0 + 270)).toBe(false);
      // Releasing is the holder's alone.
      await a.releaseLease("lease", "server-a");
      expect(await a.takeLease("lease", HOSTILE, T0 + 171, T0 + 271)).toBe(false);
      await a.releaseLease("lease", "server-b");
      expect(await a.takeLease("lease", HOSTILE, T0 + 172, T0 + 272)).toBe(true);
      // Of several asking at once, one wins.
      await a.releaseLease("lease", HOSTILE);
      const wins = await Promise.all(["p", "q", "r", "s"].map((h) => a.takeLease("lease", h, T0 + 300, T0 + 400)));
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it("hands out due notifications soonest first, retries failures, and leaves out delivered and given-up ones", async () => {
      const a = store.alerts;
      await a.enqueueNotifications([notification("n1", T0 + 30), notification("n2", T0 + 10), notification("n3", T0 + 20), notification("n4", T0 + 100)]);
      await a.enqueueNotifications([]);
      const due = async (t: number, limit = 10) => (await a.dueNotifications(T0 + t, limit)).map((n) => n.id);
      expect(await due(5)).toEqual([]);
      expect(await due(30)).toEqual(["n2", "n3", "n1"]);
      expect(await due(30, 2)).toEqual(["n2", "n3"]);
      const [first] = await a.dueNotifications(T0 + 10, 1);
      expect(first).toEqual({
        ...notification("n2", T0 + 10), state: "pending", attempts: 0, lastAttemptAt: null, deliveredAt: null, status: null, lastError: null,
      });

      expect(await a.markDelivered("n2", T0 + 11, "200")).toBe(true);
      expect(await a.markDelivered("n2", T0 + 12, "200")).toBe(false);
      expect(await a.markFailed("n2", T0 + 12, "late", T0 + 50)).toBe(false);
      expect(await a.markFailed("n3", T0 + 21, `connect ECONNREFUSED ${HOSTILE}`, T0 + 60)).toBe(true);
      expect(await due(59)).toEqual(["n1"]);
      expect(await due(60)).toEqual(["n1", "n3"]);
      expect(await a.markFailed("n3", T0 + 61, "HTTP 503", T0 + 120)).toBe(true);
      expect(await a.markFailed("n1", T0 + 31, "HTTP 400", null)).toBe(true);
      expect(await a.markFailed("n1", T0 + 32, "again", T0 + 40)).toBe(false);
      expect(await due(1000)).toEqual(["n4", "n3"]);
      expect(await a.markDelivered("nope", T0, "200")).toBe(false);

      const log = await a.listDeliveries({ limit: 10 });
      expect(log.map((n) => n.id)).toEqual(["n4", "n1", "n3", "n2"]);
      const byId = new Map(log.map((n) => [n.id, n]));
      expect(byId.get("n2")).toMatchObject({ state: "delivered", nextAt: null, attempts: 1, lastAttemptAt: T0 + 11, deliveredAt: T0 + 11, status: "200", lastError: null });
      expect(byId.get("n3")).toMatchObject({ state: "pending", nextAt: T0 + 120, attempts: 2, lastAttemptAt: T0 + 61, deliveredAt: null, lastError: "HTTP 503" });
      expect(byId.get("n1")).toMatchObject({ state: "failed", nextAt: null, attempts: 1, lastError: "HTTP 400" });
      expect((await a.listDeliveries({ limit: 2 })).map((n) => n.id)).toEqual(["n4", "n1"]);
    });

    it("finds an episode's deliveries by exact id: no prefix or pattern matches another", async () => {
      const a = store.alerts;
      await a.enqueueNotifications([
        notification("n1", T0 + 1, ["e1"]),
        notification("n2", T0 + 2, ["e10", "e1_%"]),
        notification("n3", T0 + 3, ["e1", "e2", "e1"]),
        notification("n4", T0 + 4, [`"e1"`, HOSTILE]),
        notification("n5", T0 + 5, []),
      ]);
      const of = async (alertId: string) => (await a.listDeliveries({ alert: alertId, limit: 10 })).map((n) => n.id);
      expect(await of("e1")).toEqual(["n3", "n1"]);
      expect(await of("e1_%")).toEqual(["n2"]);
      expect(await of("e_")).toEqual([]);
      expect(await of("%")).toEqual([]);
      expect(await of(HOSTILE)).toEqual(["n4"]);
      expect(await of("e2")).toEqual(["n3"]);
      expect((await a.listDeliveries({ alert: "e1", limit: 1 })).map((n) => n.id)).toEqual(["n3"]);
      const n3 = (await a.listDeliveries({ alert: "e2", limit: 1 }))[0]!;
      expect(n3.alerts).toEqual(["e1", "e2"]);
      expect((await a.listDeliveries({ limit: 10 })).find((n) => n.id === "n5")!.alerts).toEqual([]);
    });

    it("adds a batch of notifications whole or not at all", async () => {
      const a = store.alerts;
      await a.enqueueNotifications([notification("n1", T0)]);
      await expect(a.enqueueNotifications([notification("n2", T0), notification("n1", T0)])).rejects.toThrow();
      expect((await a.listDeliveries({ limit: 10 })).map((n) => n.id)).toEqual(["n1"]);
      expect(await a.listDeliveries({ alert: "hot/arm-1/1", limit: 10 })).toHaveLength(1);
    });

    it("commits an evaluation's states, transitions, episodes, notifications and snapshots together", async () => {
      const a = store.alerts;
      await a.commitTransitionBatch({});
      await a.commitTransitionBatch({
        states: [state("hot", "arm-1", { status: "firing" }), state("hot", "arm-1", { status: "firing", n: 2 })],
        transitions: [transition(1), transition(2, { from: "pending", to: "firing" })],
        alerts: [alert("hot/arm-1/1", T0 + 1, { state: "pending" }), alert("hot/arm-1/1", T0 + 1)],
        notifications: [notification("n1", T0 + 2)],
        meta: { evaluator: `{"savedAt":${T0 + 2}}`, planner: `{"groups":{}}` },
      });
      expect(await a.loadStates()).toEqual([state("hot", "arm-1", { status: "firing", n: 2 })]);
      expect((await a.listTransitions({ limit: 10 })).transitions.map((t) => t.to)).toEqual(["firing", "pending"]);
      expect(await a.getAlert("hot/arm-1/1")).toEqual(alert("hot/arm-1/1", T0 + 1));
      expect((await a.dueNotifications(T0 + 2, 10)).map((n) => n.id)).toEqual(["n1"]);
      expect(await a.getMeta("evaluator")).toBe(`{"savedAt":${T0 + 2}}`);
      expect(await a.getMeta("planner")).toBe(`{"groups":{}}`);
      // Only some parts.
      await a.commitTransitionBatch({ meta: { planner: "{}" }, states: [state("hot", "arm-2", {})] });
      expect(await a.getMeta("planner")).toBe("{}");
      expect(await a.loadStates()).toHaveLength(2);
    });

    it("a batch with one bad row stores nothing of it: a restart neither loses a transition nor sends twice", async () => {
      const a = store.alerts;
      await a.commitTransitionBatch({ notifications: [notification("n1", T0)], meta: { planner: "before" } });
      const batch = {
        states: [state("hot", "arm-1", { status: "firing" })],
        transitions: [transition(1)],
        alerts: [alert("hot/arm-1/1", T0 + 1)],
        meta: { planner: "after", evaluator: "after" },
      };
      // The outbox already holds n1: its second insertion is refused, and with it everything else.
      await expect(a.commitTransitionBatch({ ...batch, notifications: [notification("n2", T0 + 1, ["hot/arm-1/1"]), notification("n1", T0 + 1)] })).rejects.toThrow();
      // A NOT NULL violation in the middle of the transitions.
      const bad = { ...transition(2), episode: null } as unknown as NewTransition;
      await expect(a.commitTransitionBatch({ ...batch, transitions: [transition(1), bad], notifications: [notification("n3", T0 + 1)] })).rejects.toThrow();
      expect(await a.loadStates()).toEqual([]);
      expect((await a.listTransitions({ limit: 10 })).transitions).toEqual([]);
      expect(await a.getAlert("hot/arm-1/1")).toBeNull();
      expect((await a.listDeliveries({ limit: 10 })).map((n) => n.id)).toEqual(["n1"]);
      expect(await a.listDeliveries({ alert: "hot/arm-1/1", limit: 10 })).toHaveLength(1);
      expect(await a.getMeta("planner")).toBe("before");
      expect(await a.getMeta("evaluator")).toBeNull();
      // The same batch, fixed, goes in whole.
      await a.commitTransitionBatch({ ...batch, notifications: [notification("n2", T0 + 1)] });
      expect((await a.listTransitions({ limit: 10 })).transitions).toHaveLength(1);
      expect(await a.getMeta("planner")).toBe("after");
    });

    it("opens a database it has written before, with its alerts, and migrates nothing twice", async () => {
      const key = "alerts_reopen";
      const first = await openAt(key);
      try {
        await first.alerts.saveRule({ id: "hot", body: "{}", createdAt: T0, createdBy: "ada", updatedAt: T0, updatedBy: "ada" });
        await first.alerts.commitTransitionBatch({ states: [state("hot", "arm-1", {})], transitions: [transition(1)], alerts: [alert("e1", T0)], notifications: [notification("n1", T0)], meta: { planner: "{}" } });
      } finally {
        await first.close();
      }
      const again = await openAt(key);
      try {
        expect((await again.alerts.listRules()).map((r) => r.id)).toEqual(["hot"]);
        expect(await again.alerts.loadStates()).toHaveLength(1);
        expect((await again.alerts.listTransitions({ limit: 10 })).transitions).toHaveLength(1);
        expect((await again.alerts.listAlerts({ limit: 10 })).alerts.map((x) => x.id)).toEqual(["e1"]);
        expect((await again.alerts.dueNotifications(T0, 10)).map((n) => n.id)).toEqual(["n1"]);
        expect(await again.alerts.getMeta("planner")).toBe("{}");
        // New rows after a reopen take ids after the old ones.
        await again.alerts.appendTransitions([transition(2)]);
        const ts = (await again.alerts.listTransitions({ limit: 10 })).transitions;
        expect(ts[0]!.id).toBeGreaterThan(ts[1]!.id);
      } finally {
        await again.close();
      }
    });
  });
}
