"use client";
import { memo } from "react";
import s from "./topics.module.css";
import { counted } from "@/lib/text/counted";

export interface TopicRowProps {
  topic: string;
  name: string;
  depth: number;
  top: number;
  hasChildren: boolean;
  expanded: boolean;
  selected: boolean;
  /** Own messages for a topic, the subtree's for a parent. */
  count: number;
  topics: number;
  rate: number;
  retained: boolean;
  preview: string;
  /** 0: quiet; 1 or 2 alternate with each message, so the flash restarts on every change. */
  changed: 0 | 1 | 2;
  onSelect(topic: string): void;
  onToggle(topic: string): void;
}

/** One line of the tree. Props are primitives, so a row redraws only when what it shows changed. */
export const TopicRowView = memo(function TopicRowView(p: TopicRowProps) {
  const cls = [s.row, p.selected ? s.selected : "", p.changed === 1 ? s.changedA : p.changed === 2 ? s.changedB : ""].join(" ");
  return (
    <div
      id={rowId(p.topic)}
      role="treeitem"
      aria-level={p.depth + 1}
      aria-expanded={p.hasChildren ? p.expanded : undefined}
      aria-selected={p.selected}
      data-topic={p.topic}
      className={cls}
      style={{ top: p.top, paddingLeft: `${0.4 + p.depth * 1.1}rem` }}
      onClick={() => p.onSelect(p.topic)}
    >
      <span
        className={s.toggle}
        aria-hidden
        onClick={(e) => {
          e.stopPropagation();
          if (p.hasChildren) p.onToggle(p.topic);
        }}
      >
        {p.hasChildren ? (p.expanded ? "▾" : "▸") : ""}
      </span>
      <span className={`${s.name} ${p.name === "" ? s.emptyName : ""}`}>{p.name === "" ? "(empty)" : p.name}</span>
      {p.retained && <span className={s.retained} title="The broker holds a retained message here">retained</span>}
      <span className={s.preview}>{p.preview}</span>
      <span className={s.count} title={p.hasChildren ? `${counted(p.topics, "topic")} below` : "messages"}>
        {p.hasChildren ? `${counted(p.topics, "topic")} · ` : ""}
        {p.count} msgs{p.rate >= 0.05 ? ` · ${p.rate < 10 ? p.rate.toFixed(1) : Math.round(p.rate)}/s` : ""}
      </span>
    </div>
  );
});

/** A DOM id for a topic (aria-activedescendant); topics may hold any character. */
export function rowId(topic: string): string {
  let h = 0;
  for (let i = 0; i < topic.length; i++) h = (Math.imul(h, 31) + topic.charCodeAt(i)) | 0;
  return `topic-${(h >>> 0).toString(36)}-${topic.length}`;
}
