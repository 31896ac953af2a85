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

type Schedule = (cb: () => void) => () => void;

const animationFrame: Schedule = (cb) => {
  if (typeof requestAnimationFrame === "function") {
    const id = requestAnimationFrame(cb);
    return () => cancelAnimationFrame(id);
  }
  const id = setTimeout(cb, 16);
  return () => clearTimeout(id);
};

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
