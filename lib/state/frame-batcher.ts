/**
 * Collects items (MQTT messages) and hands them over once per animation frame, so a stream of
 * hundreds of messages a second costs one store update and one React render per frame.
 */

/** Flushed at once past this, so a background tab (no animation frames) keeps memory bounded. */
export const MAX_BUFFERED = 5000;

export interface FrameBatcher<T> {
  push(item: T): void;
  /** Hands over anything buffered now and stops scheduling. */
  dispose(): void;
}

export type Schedule = (cb: () => void) => () => void;

const animationFrame: Schedule = (cb) => {
  if (typeof requestAnimationFrame === "function") {
    const id = requestAnimationFrame(cb);
    return () => cancelAnimationFrame(id);
  }
  const id = setTimeout(cb, 16);
  return () => clearTimeout(id);
};

/**
 * Animation frames, at most one every `ms`: for a view whose rows pass faster than anyone reads
 * them (a packet trace at thousands a second, as Wireshark's live list refreshes a few times a
 * second), fewer renders of more rows each. Every item is still handed over, in order.
 */
export function framesAtMost(ms: number, frame: Schedule = animationFrame): Schedule {
  let last = -Infinity;
  return (cb) => {
    const fire = () => {
      last = performance.now();
      cb();
    };
    let cancelFrame: (() => void) | null = null;
    const wait = last + ms - performance.now();
    if (wait <= 0) return frame(fire);
    const timer = setTimeout(() => (cancelFrame = frame(fire)), wait);
    return () => {
      clearTimeout(timer);
      cancelFrame?.();
    };
  };
}

export function createFrameBatcher<T>(flush: (items: T[]) => void, schedule: Schedule = animationFrame): FrameBatcher<T> {
  let buffer: T[] = [];
  let cancel: (() => void) | null = null;
  const run = () => {
    cancel = null;
    if (buffer.length === 0) return;
    const items = buffer;
    buffer = [];
    flush(items);
  };
  return {
    push(item) {
      buffer.push(item);
      if (buffer.length >= MAX_BUFFERED) {
        cancel?.();
        run();
      } else {
        cancel ??= schedule(run);
      }
    },
    dispose() {
      cancel?.();
      run();
    },
  };
}
