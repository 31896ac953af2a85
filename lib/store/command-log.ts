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
   * Records a new command, durably, before it is sent. When its idempotency key is already taken,
   * nothing is written and the command that took it comes back with `created: false`.
   */
  create(command: Command): Promise<{ command: Command; created: boolean }>;
  /** Writes a command's current state and history over the stored one. */
  save(command: Command): Promise<void>;
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
