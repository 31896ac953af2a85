/**
 * One value per process. Kept on globalThis under a registered symbol because server.ts's modules
 * and the route handlers Next bundles load separate copies of a module in one process: a
 * module-level variable would be one per copy, so the routes would not see what the server made.
 */

function slotFor<T>(name: string): { value?: T } {
  const g = globalThis as Record<symbol, { value?: T } | undefined>;
  const key = Symbol.for(`fleetscope.${name}`);
  return (g[key] ??= {});
}

/** The process's value named `name`, made by `make` on first use. */
export function processSingleton<T>(name: string, make: () => T): T {
  const slot = slotFor<T>(name);
  if (!("value" in slot)) slot.value = make();
  return slot.value as T;
}

/** A place for one value per process, set by whoever starts it and read by the rest; null until set. */
export interface ProcessSlot<T> {
  get(): T | null;
  set(value: T | null): void;
}

export function processSlot<T>(name: string): ProcessSlot<T> {
  return {
    get: () => slotFor<T | null>(name).value ?? null,
    set: (value) => {
      slotFor<T | null>(name).value = value;
    },
  };
}
