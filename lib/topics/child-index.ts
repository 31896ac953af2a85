/**
 * The topic tree's one index from (parent node, level name) to the child node: an open-addressing
 * hash table of node ids in one typed array, the keys read from the tree's own columns, instead
 * of a Map per node (a Map costs about 100 bytes even empty, and a million of them was most of
 * the tab's heap). Linear probing; deletion shifts the following run back, so a lookup never
 * meets a tombstone.
 */

const EMPTY = -1;
const MIN_SLOTS = 1024;

/** Each node's parent and interned name, by node id (the tree's columns, replaced as they grow). */
export interface NodeKeys {
  readonly parent: Int32Array;
  readonly name: Int32Array;
}

function hash(parent: number, name: number): number {
  let h = Math.imul(parent, 0x9e3779b1) ^ Math.imul(name + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 13);
}

export class ChildIndex {
  private slots = new Int32Array(MIN_SLOTS).fill(EMPTY);
  private mask = MIN_SLOTS - 1;
  size = 0;

  constructor(private readonly keys: () => NodeKeys) {}

  /** The child of `parent` named `name` (an interned name id), or -1. */
  find(parent: number, name: number): number {
    const { slots, mask } = this;
    const keys = this.keys();
    for (let i = hash(parent, name) & mask; ; i = (i + 1) & mask) {
      const c = slots[i]!;
      if (c === EMPTY) return -1;
      if (keys.parent[c] === parent && keys.name[c] === name) return c;
    }
  }

  /** Adds a node whose parent and name are already in the keys, and which is not indexed yet. */
  insert(child: number): void {
    // At most half full: probe runs stay a slot or two long.
    if ((this.size + 1) * 2 > this.slots.length) this.resize(this.slots.length * 2);
    this.place(child, this.keys());
    this.size++;
  }

  /** Takes a node out (its keys still in place). */
  delete(child: number): void {
    const { slots, mask } = this;
    const keys = this.keys();
    let i = hash(keys.parent[child]!, keys.name[child]!) & mask;
    while (slots[i] !== EMPTY && slots[i] !== child) i = (i + 1) & mask;
    if (slots[i] === EMPTY) return;
    // Shift back every entry of the run that the hole would cut off from its home slot.
    for (let j = (i + 1) & mask; slots[j] !== EMPTY; j = (j + 1) & mask) {
      const c = slots[j]!;
      const home = hash(keys.parent[c]!, keys.name[c]!) & mask;
      const reachable = i <= j ? i < home && home <= j : i < home || home <= j;
      if (reachable) continue;
      slots[i] = c;
      i = j;
    }
    slots[i] = EMPTY;
    this.size--;
  }

  /** Bytes the table holds, for the heap figure per topic. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  private place(child: number, keys: NodeKeys) {
    const { slots, mask } = this;
    let i = hash(keys.parent[child]!, keys.name[child]!) & mask;
    while (slots[i] !== EMPTY) i = (i + 1) & mask;
    slots[i] = child;
  }

  private resize(size: number) {
    const old = this.slots;
    this.slots = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    const keys = this.keys();
    for (const c of old) if (c !== EMPTY) this.place(c, keys);
  }
}
