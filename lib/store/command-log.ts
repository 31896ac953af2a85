/**
 * The command log: every command with its whole lifecycle, and the replies no command claimed.
 * Every implementation passes the contract suite in test/commands.contract.ts.
 */
import type { Command, CommandState } from "../commands/lifecycle";

export interface CommandQuery {
  device?: string;
  name?: string;
  state?: CommandState;
  actor?: string;
  /** createdAt in [from, to]. */
  from?: number;
  to?: number;
  limit: number;
  /** Opaque, from a previous page's `next`. */
  cursor?: string;
}

export interface CommandPage {
  /** Newest first. */
  commands: Command[];
  next: string | null;
}

/** A reply whose id names no command this log holds (or none at all). */
export interface UnmatchedReply {
  ts: number;
  topic: string;
  device: string;
  replyId: string | null;
  payload: string;
}

export interface CommandLog {
  /**
   * Records new commands, durably and in one transaction, before they are sent; one result per
   * command, in order. A command whose idempotency key is already taken (also by an earlier one in
   * the same call) is not written: the command that took the key comes back with `created: false`.
   */
  create(commands: Command[]): Promise<{ command: Command; created: boolean }[]>;
  /** Writes commands' current states and histories over the stored ones, in one transaction. */
  save(commands: Command[]): Promise<void>;
  get(id: string): Promise<Command | null>;
  list(query: CommandQuery): Promise<CommandPage>;
  /** Commands not yet in a final state, oldest first: what a restarted server resumes. */
  open(): Promise<Command[]>;
  recordUnmatched(reply: UnmatchedReply): Promise<void>;
  /** Newest first. */
  unmatched(limit: number): Promise<UnmatchedReply[]>;
}

/** Payload text kept per unmatched reply. */
export const MAX_UNMATCHED_PAYLOAD = 4096;
