/**
 * The topic tree's one index from (parent node, level name) to the child node: an open-addressing
 * hash table in three typed arrays, instead of a Map per node (a Map costs about 100 bytes even
 * empty, and a million of them was most of the tab's heap). Linear probing; deletion shifts the
 * following run back, so a lookup never meets a tombstone.
 */

const EMPTY = -1;
const MIN_SLOTS = 1024;

function hash(parent: number, name: number): number {
  let h = Math.imul(parent, 0x9e3779b1) ^ Math.imul(name + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 13);
}

export class ChildIndex {
  private parents = new Int32Array(MIN_SLOTS);
  private names = new Int32Array(MIN_SLOTS);
  private children = new Int32Array(MIN_SLOTS).fill(EMPTY);
  private mask = MIN_SLOTS - 1;
  size = 0;

  /** The child of `parent` named `name` (an interned name id), or -1. */
  find(parent: number, name: number): number {
    const { parents, names, children, mask } = this;
    for (let i = hash(parent, name) & mask; ; i = (i + 1) & mask) {
      const c = children[i]!;
      if (c === EMPTY) return -1;
      if (parents[i] === parent && names[i] === name) return c;
    }
  }

  /** Adds a child known not to be there yet. */
  insert(parent: number, name: number, child: number): void {
    // At most half full: probe runs stay a slot or two long.
    if ((this.size + 1) * 2 > this.children.length) this.resize(this.children.length * 2);
    this.place(parent, name, child);
    this.size++;
  }

  delete(parent: number, name: number): void {
    const { parents, names, children, mask } = this;
    let i = hash(parent, name) & mask;
    while (children[i] !== EMPTY && !(parents[i] === parent && names[i] === name)) i = (i + 1) & mask;
    if (children[i] === EMPTY) return;
    // Shift back every entry of the run that the hole would cut off from its home slot.
    for (let j = (i + 1) & mask; children[j] !== EMPTY; j = (j + 1) & mask) {
      const home = hash(parents[j]!, names[j]!) & mask;
      const reachable = i <= j ? i < home && home <= j : i < home || home <= j;
      if (reachable) continue;
      parents[i] = parents[j]!;
      names[i] = names[j]!;
      children[i] = children[j]!;
      i = j;
    }
    children[i] = EMPTY;
    this.size--;
  }

  /** Bytes the table holds, for the heap figure per topic. */
  get bytes(): number {
    return this.children.length * 12;
  }

  private place(parent: number, name: number, child: number) {
    const { parents, names, children, mask } = this;
    let i = hash(parent, name) & mask;
    while (children[i] !== EMPTY) i = (i + 1) & mask;
    parents[i] = parent;
    names[i] = name;
    children[i] = child;
  }

  private resize(slots: number) {
    const [parents, names, children] = [this.parents, this.names, this.children];
    this.parents = new Int32Array(slots);
    this.names = new Int32Array(slots);
    this.children = new Int32Array(slots).fill(EMPTY);
    this.mask = slots - 1;
    for (let i = 0; i < children.length; i++) if (children[i] !== EMPTY) this.place(parents[i]!, names[i]!, children[i]!);
  }
}
