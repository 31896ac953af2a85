import "server-only";
/**
 * Keeps a process's conventions in step with the saved rules: reads them from the store at
 * start and every RULES_POLL_MS after, and hands the rules in force to `onChange` whenever they
 * differ. Through the store, so a rule saved on one server reaches every bridge sharing its
 * database without a restart; the server that saved it refreshes at once (refresh()).
 */
import type { RuleStore } from "../store/rules";
import type { Rule } from "../devices/conventions/rules";
import { ruleSet, type RuleSet } from "./rule-set";
import { logger } from "../log/logger";
import { processSlot } from "../process/singleton";

export const RULES_POLL_MS = 2_000;

export class RuleWatch {
  private current: RuleSet;
  private applied: string;
  private timer: NodeJS.Timeout | null = null;
  private pending: Promise<RuleSet> | null = null;
  /** The last failure to read the store, kept until a read succeeds. */
  error: string | null = null;

  constructor(
    private readonly store: RuleStore,
    private readonly fileRules: readonly Rule[],
    private readonly onChange: (rules: Rule[]) => void,
    private readonly pollMs = RULES_POLL_MS,
  ) {
    this.current = ruleSet(fileRules, []);
    this.applied = JSON.stringify(this.current.rules);
  }

  /** Reads once (so the first message is read with the saved rules), then keeps polling. */
  async start(): Promise<void> {
    await this.refresh();
    const tick = () => {
      this.timer = setTimeout(() => void this.refresh().finally(() => this.timer && tick()), this.pollMs);
      this.timer.unref();
    };
    tick();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  get set(): RuleSet {
    return this.current;
  }

  /** Reads the store now; calls made while a read is running share it. Never throws. */
  refresh(): Promise<RuleSet> {
    this.pending ??= this.read().finally(() => (this.pending = null));
    return this.pending;
  }

  private async read(): Promise<RuleSet> {
    try {
      this.current = ruleSet(this.fileRules, await this.store.list());
      this.error = null;
    } catch (err) {
      // The rules in force stay as they were: a database away for a while changes no device.
      this.error = `could not read the saved rules: ${err instanceof Error ? err.message : String(err)}`;
      logger("conventions").warn({ error: this.error }, "reading the saved rules failed; the rules in force stay, read again later");
      return this.current;
    }
    const text = JSON.stringify(this.current.rules);
    if (text !== this.applied) {
      this.applied = text;
      this.onChange(this.current.rules);
    }
    return this.current;
  }
}

const slot = processSlot<RuleWatch>("devices.rule-watch");

/** The server process's watch, for the routes that save rules (on globalThis: see shared.ts). */
export function setSharedRuleWatch(watch: RuleWatch | null): void {
  slot.set(watch);
}

export function sharedRuleWatch(): RuleWatch | null {
  return slot.get();
}
