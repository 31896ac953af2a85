"use client";
import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { payloadPreview } from "@/lib/payload/preview";
import { rateAt } from "@/lib/topics/tree";
import type { TopicRow } from "@/lib/topics/rows";
import { rowId, TopicRowView } from "./TopicRowView";
import s from "./topics.module.css";

export const ROW_HEIGHT = 24;
/** Rows drawn beyond each edge of the viewport, so fast scrolling shows no blank band. */
const OVERSCAN = 10;
/** A row flashes this long after its topic received a message. */
const CHANGED_MS = 1000;
interface Props {
  rows: TopicRow[];
  selected: string | null;
  /** The selected topic's node id, -1 for none: rows are found by id, not by building topics. */
  selectedId: number;
  now: number;
  onSelect(topic: string): void;
  onToggle(topic: string, open?: boolean): void;
  label: string;
  /** The topics drawn (viewport and overscan), told when they change: the tree keeps their payloads. */
  onShown(topics: readonly string[]): void;
}

/** The virtualized tree: only the rows near the viewport exist in the DOM. Arrow keys move and open. */
export function TopicTreeView({ rows, selected, selectedId, now, onSelect, onToggle, label, onShown }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ top: 0, height: 600 });

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setViewport({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const index = selectedId < 0 ? -1 : rows.findIndex((r) => r.node.id === selectedId);

  // Keep the selected row on screen when the keyboard moves it.
  const scrollTo = (i: number) => {
    const el = ref.current;
    if (!el) return;
    const top = i * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (rows.length === 0) return;
    const move = (i: number) => {
      const j = Math.max(0, Math.min(rows.length - 1, i));
      onSelect(rows[j]!.node.topic);
      scrollTo(j);
    };
    const row = index >= 0 ? rows[index]! : null;
    switch (e.key) {
      case "ArrowDown":
        move(index + 1);
        break;
      case "ArrowUp":
        move(index < 0 ? 0 : index - 1);
        break;
      case "Home":
        move(0);
        break;
      case "End":
        move(rows.length - 1);
        break;
      case "PageDown":
        move(index + Math.floor(viewport.height / ROW_HEIGHT));
        break;
      case "PageUp":
        move(index - Math.floor(viewport.height / ROW_HEIGHT));
        break;
      case "ArrowRight":
        if (!row) return move(0);
        if (row.hasChildren && !row.expanded) onToggle(row.node.topic, true);
        else if (row.expanded) move(index + 1);
        break;
      case "ArrowLeft":
        if (!row) return;
        if (row.expanded) onToggle(row.node.topic, false);
        else if (row.node.parent && row.node.parent.depth >= 0) {
          const parent = row.node.parent.id;
          move(rows.findIndex((r) => r.node.id === parent));
        }
        break;
      case "Enter":
      case " ":
        if (row?.hasChildren) onToggle(row.node.topic);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const first = Math.max(0, Math.floor(viewport.top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((viewport.top + viewport.height) / ROW_HEIGHT) + OVERSCAN);
  const visible = rows.slice(first, last);
  const topics = visible.map((r) => r.node.topic);
  const shownKey = topics.join("\n");
  useEffect(() => onShown(topics), [shownKey]); // Dependencies on purpose: the key stands for the list

  return (
    <div
      ref={ref}
      className={s.tree}
      role="tree"
      aria-label={label}
      tabIndex={0}
      aria-activedescendant={selected !== null && index >= 0 ? rowId(selected) : undefined}
      onKeyDown={onKeyDown}
      onScroll={(e) => setViewport({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}
    >
      <div style={{ height: rows.length * ROW_HEIGHT }} />
      {visible.map((r, i) => {
        const n = r.node;
        const topic = topics[i]!;
        const parent = r.hasChildren;
        const last = n.last;
        return (
          <TopicRowView
            key={topic}
            topic={topic}
            name={n.name}
            depth={r.depth}
            top={(first + i) * ROW_HEIGHT}
            hasChildren={parent}
            expanded={r.expanded}
            selected={topic === selected}
            count={parent ? n.subtreeMessages : n.messages}
            topics={n.subtreeTopics}
            rate={rateAt(parent ? n.subtreeRate : n.rate, n.rateTs, now)}
            retained={n.retained}
            preview={last ? payloadPreview(last) : ""}
            changed={n.lastTs !== null && now - n.lastTs < CHANGED_MS ? (n.messages % 2 === 0 ? 2 : 1) : 0}
            onSelect={onSelect}
            onToggle={onToggle}
          />
        );
      })}
    </div>
  );
}
