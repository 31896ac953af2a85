/**
 * The rows the tree view draws: expanded nodes flattened depth first, children in name order,
 * optionally narrowed by a filter (an MQTT filter like `fleet/+/arm-03/#`, or a substring).
 * Pure; the view virtualizes whatever this returns.
 */
import { topicMatches, validateTopicFilter } from "../mqtt/topic";
import type { TopicNode, TopicTree } from "./tree";

export interface TopicRow {
  node: TopicNode;
  depth: number;
  expanded: boolean;
  hasChildren: boolean;
}

export type TreeFilter =
  | { kind: "none" }
  | { kind: "mqtt"; filter: string }
  | { kind: "text"; needle: string }
  | { kind: "invalid"; reason: string };

/** Text with `+` or `#` is an MQTT filter (and must be a valid one); anything else a substring. */
export function parseTreeFilter(text: string): TreeFilter {
  const t = text.trim();
  if (t === "") return { kind: "none" };
  if (t.includes("+") || t.includes("#")) {
    const check = validateTopicFilter(t);
    return check.ok ? { kind: "mqtt", filter: t } : { kind: "invalid", reason: check.reason };
  }
  return { kind: "text", needle: t.toLowerCase() };
}

/** The topic is passed in, built level by level on the walk: a node's own would climb its path. */
function matcher(filter: TreeFilter): ((node: TopicNode, topic: string) => boolean) | null {
  switch (filter.kind) {
    case "mqtt":
      return (n, topic) => n.messages > 0 && topicMatches(filter.filter, topic);
    case "text":
      return (_, topic) => topic.toLowerCase().includes(filter.needle);
    default:
      return null;
  }
}

/**
 * With no filter: the expanded nodes' children. With one: every match and the path to it, all
 * open, since a search that hides its hits behind collapsed parents finds nothing.
 */
export function treeRows(tree: TopicTree, expanded: ReadonlySet<string>, filter: TreeFilter = { kind: "none" }): TopicRow[] {
  const rows: TopicRow[] = [];
  const match = matcher(filter);
  if (filter.kind === "invalid") return rows;
  if (!match) {
    // Ids, not topics: a topic string is built per node only when asked for.
    const openIds = new Set<number>();
    for (const topic of expanded) {
      const id = tree.find(topic);
      if (id >= 0) openIds.add(id);
    }
    const walk = (node: TopicNode) => {
      if (node.childCount === 0) return;
      for (const child of tree.sortedChildren(node)) {
        const open = openIds.has(child.id);
        const hasChildren = child.childCount > 0;
        rows.push({ node: child, depth: child.depth, expanded: open && hasChildren, hasChildren });
        if (open) walk(child);
      }
    };
    walk(tree.root);
    return rows;
  }
  // Post-order: a node is shown when it or anything below it matches.
  const walk = (node: TopicNode, prefix: string | null): TopicRow[] => {
    const out: TopicRow[] = [];
    if (node.childCount === 0) return out;
    for (const child of tree.sortedChildren(node, false)) {
      const topic = prefix === null ? child.name : `${prefix}/${child.name}`;
      const below = walk(child, topic);
      if (below.length > 0 || match(child, topic)) {
        out.push({ node: child, depth: child.depth, expanded: below.length > 0, hasChildren: child.childCount > 0 });
        for (const r of below) out.push(r);
      }
    }
    return out;
  };
  return walk(tree.root, null);
}

/** Every ancestor of `topic`, so selecting a deep topic can open the path to it. */
export function ancestorsOf(topic: string): string[] {
  const levels = topic.split("/");
  const out: string[] = [];
  for (let i = 1; i < levels.length; i++) out.push(levels.slice(0, i).join("/"));
  return out;
}
