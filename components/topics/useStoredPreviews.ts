"use client";
import { useEffect, useRef, type RefObject } from "react";
import { storedBytes } from "@/lib/topics/recent";
import { listMessages } from "@/lib/api-client/messages";
import { isApiRefusal } from "@/lib/api-client/request";
import type { TopicTree } from "@/lib/topics/tree";

/** How long the rows on screen stay put before their missing payloads are asked for. */
const SETTLE_MS = 250;

/**
 * The tree keeps payloads only for what is on screen and what spoke lately; a row scrolled into
 * view that has messages but no payload gets its last one from the store, once per topic and
 * count (a topic that speaks again while shown keeps its own). Failures leave the preview empty:
 * the row still shows its counts, and the detail view loads the topic's history itself.
 */
export function useStoredPreviews(tree: TopicTree, shown: readonly string[], pastCursor: RefObject<number | null>): void {
  const asked = useRef(new Map<string, number>());
  useEffect(() => {
    asked.current = new Map();
  }, [tree]);

  useEffect(() => {
    const controller = new AbortController();
    const id = setTimeout(() => {
      for (const topic of shown) {
        const node = tree.get(topic);
        if (!node || node.messages === 0 || node.last || asked.current.get(topic) === node.messages) continue;
        asked.current.set(topic, node.messages);
        const params = new URLSearchParams({ topic, limit: "1" });
        // A past view shows the moment it is at, not what came after.
        if (pastCursor.current !== null) params.set("to", String(pastCursor.current));
        listMessages(params, controller.signal).then(
          (body) => {
            const m = body.messages[0];
            if (m && m.topic === topic) tree.restore(topic, storedBytes(m), m.ts);
          },
          // Refused, it is not asked again for this count; not answered, it is when next shown.
          (err: unknown) => !isApiRefusal(err) && asked.current.delete(topic),
        );
      }
    }, SETTLE_MS);
    return () => {
      clearTimeout(id);
      controller.abort();
    };
  }, [tree, shown, pastCursor]);
}
