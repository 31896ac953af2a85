"use client";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { validateTopicFilter } from "@/lib/mqtt/topic";
import type { WatchState } from "@/lib/state/connection";
import { addLive, addStored, RECENT_STORED, storedUntil, type RecentMessage } from "@/lib/topics/recent";
import { listMessages } from "@/lib/api-client/messages";
import { errorText } from "@/lib/api-client/request";
import { ancestorsOf, parseTreeFilter, treeRows } from "@/lib/topics/rows";
import { rateAt, TopicTree } from "@/lib/topics/tree";
import { useFleet } from "../FleetProvider";
import { useActor } from "../auth/ActorProvider";
import { PublishForm } from "./PublishForm";
import { RuleMaker } from "./RuleMaker";
import { TopicDetail } from "./TopicDetail";
import { TopicTreeView } from "./TopicTreeView";
import { useStoredPreviews } from "./useStoredPreviews";
import s from "./topics.module.css";
import { counted } from "@/lib/text/counted";

/** The tree redraws at most this often; messages go into the model every frame regardless. */
const REDRAW_MS = 250;
const PRUNE_CHOICES = [
  { label: "never", ms: null },
  { label: "1 min", ms: 60_000 },
  { label: "10 min", ms: 600_000 },
  { label: "1 h", ms: 3_600_000 },
] as const;
const PRUNE_EVERY_MS = 5_000;
const STORED_PAGE = 100;
/** How long a pick stays before its stored messages are asked for. */
const SETTLE_MS = 250;

type Stored = { state: "idle" | "loading" | "loaded" | "error"; error?: string; count?: number; next?: string | null; full?: boolean };

/** `/topics`: the broker's topic tree as this tab sees it, the selected topic, and the publish tool. */
export function TopicsExplorer() {
  const { can } = useActor();
  const mqtt = useFleet((st) => st.mqtt);
  // The moment a past view shows, for asking the store: still, the cursor; while playing, where
  // playback started (a value that holds, so playback does not redraw the page every frame).
  const pastCursor = useRef<number | null>(null);
  pastCursor.current = useFleet((st) => (st.past && !st.past.playing ? st.past.cursor : (st.past?.at ?? null)));
  // A tree per connection: the past (`?at=`) arrives on a handle of its own, and starts afresh.
  // Dependencies on purpose: `mqtt` is the reason for a new tree, not an input to it
  const tree = useMemo(() => new TopicTree(), [mqtt]);
  const [now, setNow] = useState(() => Date.now());
  const [drawn, setDrawn] = useState(0);
  const [filter, setFilter] = useState("#");
  const [draft, setDraft] = useState("#");
  const [draftError, setDraftError] = useState<string | null>(null);
  const [watch, setWatch] = useState<WatchState | { state: "paused" } | null>(null);
  const [paused, setPaused] = useState(false);
  const [search, setSearch] = useState("");
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const [selected, setSelected] = useState<string | null>(null);
  const [recent, setRecent] = useState<readonly RecentMessage[]>([]);
  const [stored, setStored] = useState<Stored>({ state: "idle" });
  const [pruneMs, setPruneMs] = useState<number | null>(null);
  /** The topic "Make these devices" was opened from. */
  const [making, setMaking] = useState<string | null>(null);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  /** The rows the tree view draws. */
  const [shown, setShown] = useState<readonly string[]>([]);

  // Payloads stay for what is on screen (kept-payloads.ts); the rest come from the store when shown.
  useEffect(() => tree.pin([...shown, ...expanded, ...(selected === null ? [] : [selected])]), [tree, shown, expanded, selected]);
  useStoredPreviews(tree, shown, pastCursor);

  // The subscription: every batch goes into the model; React hears of it at the next redraw.
  useEffect(() => {
    if (!mqtt) return;
    if (paused) {
      setWatch({ state: "paused" });
      return;
    }
    return mqtt.watch(filter, {
      onBatch: (batch) => {
        tree.apply(batch);
        const topic = selectedRef.current;
        if (topic !== null) setRecent((list) => addLive(list, topic, batch));
      },
      onState: setWatch,
    });
  }, [mqtt, filter, paused, tree]);

  useEffect(() => {
    let last = -1;
    let lastAt = 0;
    const id = setInterval(() => {
      const t = Date.now();
      // Rates decay and flashes fade even when nothing arrives: redraw at least once a second.
      if (tree.version !== last || t - lastAt >= 1000) {
        last = tree.version;
        lastAt = t;
        setNow(t);
        setDrawn(tree.version);
      }
    }, REDRAW_MS);
    return () => clearInterval(id);
  }, [tree]);

  useEffect(() => {
    if (pruneMs === null) return;
    const id = setInterval(() => tree.prune(Date.now() - pruneMs), PRUNE_EVERY_MS);
    return () => clearInterval(id);
  }, [pruneMs, tree]);

  const parsedSearch = useMemo(() => parseTreeFilter(search), [search]);
  // Rows are live views of the tree's arrays: they are made again only when a topic comes or
  // goes (read at each redraw, which `drawn` brings), not for every count that changed.
  const shape = tree.shape;
  const rows = useMemo(() => treeRows(tree, expanded, parsedSearch), [tree, shape, expanded, parsedSearch]);

  const select = useCallback(
    (topic: string) => {
      if (selectedRef.current === topic) return;
      selectedRef.current = topic;
      setSelected(topic);
      // The list starts from what the model kept: the last two values.
      const node = tree.get(topic);
      const seed: RecentMessage[] = [];
      if (node?.last) seed.push({ ts: node.lastTs!, payload: node.last, qos: node.qos ?? 0, retain: node.retained, source: "live", ...(node.lastProps && { props: node.lastProps }) });
      if (node?.previous) seed.push({ ts: node.previousTs!, payload: node.previous, qos: node.qos ?? 0, retain: false, source: "live" });
      setRecent(seed);
      setStored({ state: "idle" });
      // Open the path to it, so it stays in view when a search is cleared.
      setExpanded((open) => (ancestorsOf(topic).every((a) => open.has(a)) ? open : new Set([...open, ...ancestorsOf(topic)])));
    },
    [tree],
  );

  const toggle = useCallback((topic: string, open?: boolean) => {
    setExpanded((prev) => {
      const next = new Set(prev);
      if (open ?? !prev.has(topic)) next.add(topic);
      else next.delete(topic);
      return next;
    });
  }, []);

  const applySubscription = () => {
    const check = validateTopicFilter(draft.trim());
    setDraftError(check.ok ? null : check.reason);
    if (check.ok) setFilter(draft.trim());
  };

  const loadStored = async () => {
    const topic = selected;
    if (topic === null) return;
    const cursor = stored.next;
    setStored({ ...stored, state: "loading" });
    // The first page ends where the live list does; the next ones follow the API's cursor.
    const params = new URLSearchParams({ topic, limit: String(STORED_PAGE) });
    if (cursor) params.set("cursor", cursor);
    // In a past view nothing after the moment shown: the list's end is the cursor, not now.
    else params.set("to", String(storedUntil(recent, pastCursor.current ?? Date.now())));
    try {
      const body = await listMessages(params);
      if (selectedRef.current !== topic) return; // another topic was picked meanwhile: its list, not this one
      const before = recent.length;
      const merged = addStored(recent, body.messages);
      setRecent(merged);
      const full = merged.filter((m) => m.source === "stored").length >= RECENT_STORED;
      setStored({ state: "loaded", count: merged.length - before, next: body.next, full });
    } catch (err) {
      if (selectedRef.current === topic) setStored({ state: "error", error: `could not load stored messages: ${errorText(err)}` });
    }
  };

  // A topic opens with its first page from the store below the model's last two values: the
  // count said "3 messages" where the list had 2. Once the pick has settled, so arrowing through
  // the tree is not a query per row.
  useEffect(() => {
    if (selected === null) return;
    const id = setTimeout(() => void loadStored(), SETTLE_MS);
    return () => clearTimeout(id);
  }, [selected]); // Dependencies on purpose: once per pick, with that render's list

  const onPublished = useCallback(
    (topic: string, retain: boolean, empty: boolean) => {
      // Brokers pass a retained publish on to live subscribers with RETAIN=0 [MQTT-3.3.1-9].
      if (retain) tree.markRetained(topic, !empty);
    },
    [tree],
  );

  const status = watch === null ? "waiting for the broker connection" : watch.state === "error" ? watch.error : watch.state;
  const rootRate = rateAt(tree.root.subtreeRate, tree.root.rateTs, now);

  return (
    <div>
      <div className={s.inline}>
        <h1>Topics</h1>
        <p className={`muted ${s.stats}`} aria-live="polite">
          {counted(tree.topics, "topic")} · {counted(tree.messages, "message")} · {rootRate.toFixed(rootRate < 10 ? 1 : 0)} msgs/s
        </p>
      </div>
      <div className={s.controls}>
        <label>
          subscription
          <span className={s.inline}>
            <input
              className={s.mono}
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => e.key === "Enter" && applySubscription()}
              aria-invalid={!!draftError}
              aria-label="Subscription filter"
            />
            <button type="button" className={s.button} onClick={applySubscription} disabled={draft.trim() === filter}>
              Subscribe
            </button>
            <button type="button" className={s.button} onClick={() => setPaused((p) => !p)} aria-pressed={paused}>
              {paused ? "Resume" : "Pause"}
            </button>
          </span>
          {draftError ? <span className={s.fieldError} role="alert">{draftError}</span> : <span className={watch?.state === "error" ? "error" : undefined}>{filter}: {status}</span>}
        </label>
        <label>
          search (text or MQTT filter)
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="arm-03 or fleet/+/arm-03/#" aria-invalid={parsedSearch.kind === "invalid"} aria-label="Search topics" />
          {parsedSearch.kind === "invalid" && <span className={s.fieldError}>{parsedSearch.reason}</span>}
        </label>
        <label>
          forget topics quiet for
          <select value={pruneMs ?? ""} onChange={(e) => setPruneMs(e.target.value === "" ? null : Number(e.target.value))}>
            {PRUNE_CHOICES.map((c) => (
              <option key={c.label} value={c.ms ?? ""}>{c.label}</option>
            ))}
          </select>
        </label>
        <button type="button" className={s.button} onClick={() => setExpanded(new Set(rows.filter((r) => r.hasChildren).map((r) => r.node.topic)))}>
          Expand shown
        </button>
        <button type="button" className={s.button} onClick={() => setExpanded(new Set())}>
          Collapse all
        </button>
      </div>
      <div className={s.split}>
        {tree.topics === 0 ? (
          <div className={s.detail}>
            <p className="muted">
              {paused ? "Paused: resume to see topics." : `No messages on ${filter} yet. Anything published under it appears here as it arrives, retained messages first.`}
            </p>
          </div>
        ) : rows.length === 0 ? (
          <div className={s.detail}>
            <p className="muted">No topic matches “{search}”.</p>
          </div>
        ) : (
          <TopicTreeView rows={rows} selected={selected} selectedId={selected === null ? -1 : tree.find(selected)} now={now} onShown={setShown} onSelect={select} onToggle={toggle} label={`Topics under ${filter}`} />
        )}
        <div className={s.side}>
          {selected !== null ? (
            <TopicDetail topic={selected} node={tree.get(selected)} now={now} messages={recent} stored={stored} onLoadStored={() => void loadStored()} onMakeDevices={() => setMaking(selected)} />
          ) : (
            <div className={s.detail}>
              <p className="muted">Select a topic (click, or arrow keys in the tree) to see its payload, history and chart.</p>
            </div>
          )}
          {making !== null && <RuleMaker key={making} topic={making} tree={tree} version={drawn} onClose={() => setMaking(null)} />}
          {can.publish ? (
            <PublishForm initialTopic={selected ?? ""} onPublished={onPublished} />
          ) : (
            <p className="muted small" data-testid="publish-not-allowed">
              Publishing needs the operator role.
            </p>
          )}
        </div>
      </div>
    </div>
  );
}
