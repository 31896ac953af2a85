/**
 * What the topic tree holds that a rule being made on `/topics` can be tried on: the messages
 * it kept (each topic's last two) under a pattern's filter, and the topics beside the selected
 * one that tell devices apart. Pure; the tree is read, never changed.
 */
import type { Inbound } from "../devices/convention";
import { asEpochMs } from "../devices/model";
import { topicMatches } from "../mqtt/topic";
import type { TopicNode, TopicTree } from "./tree";

/** Topics a sample walks at most: a preview of a whole broker must not stall the tab. */
export const MAX_SAMPLE_TOPICS = 2_500;
/** Other topics suggestRule compares the selected one with. */
export const MAX_SIBLINGS = 200;

const decoder = new TextDecoder();

/** The tree node of the filter's literal head (`plant/+/x` → `plant`), or the root. */
function headNode(tree: TopicTree, filter: string): TopicNode {
  const head: string[] = [];
  for (const level of filter.split("/")) {
    if (level === "+" || level === "#") break;
    head.push(level);
  }
  return (head.length ? tree.get(head.join("/")) : undefined) ?? tree.root;
}

/** Depth first, in arrival order, stopping after `max` nodes with messages. */
function* withMessages(tree: TopicTree, from: TopicNode, max: number): Generator<TopicNode> {
  const stack = [from];
  let n = 0;
  while (stack.length && n < max) {
    const node = stack.pop()!;
    if (node.messages > 0) {
      n++;
      yield node;
    }
    // The tree lists children newest first; the stack pops them oldest first.
    if (node.childCount > 0) stack.push(...tree.children(node));
  }
}

const inbound = (node: TopicNode, payload: NonNullable<TopicNode["last"]>, ts: number, retain: boolean): Inbound => ({
  topic: node.topic,
  payload: payload.bytes,
  text: payload.truncated ? null : decoder.decode(payload.bytes),
  retain,
  qos: node.qos ?? 0,
  ts: asEpochMs(ts),
});

/** The kept messages on topics matching `filter`, oldest first, as the conventions read them. */
export function sampleMessages(tree: TopicTree, filter: string): Inbound[] {
  const out: Inbound[] = [];
  for (const node of withMessages(tree, headNode(tree, filter), MAX_SAMPLE_TOPICS)) {
    // Only the payloads the tree kept (those on screen and the latest) make the sample.
    if (!node.last || !topicMatches(filter, node.topic)) continue;
    if (node.previous) out.push(inbound(node, node.previous, node.previousTs!, false));
    out.push(inbound(node, node.last, node.lastTs!, node.retained));
  }
  return out.sort((a, b) => a.ts - b.ts);
}

/** Topics with messages under the selected one's first level, itself left out. */
export function siblingTopics(tree: TopicTree, topic: string): string[] {
  const first = tree.get(topic.split("/")[0]!);
  if (!first) return [];
  const out: string[] = [];
  for (const node of withMessages(tree, first, MAX_SIBLINGS + 1)) if (node.topic !== topic && out.length < MAX_SIBLINGS) out.push(node.topic);
  return out;
}
