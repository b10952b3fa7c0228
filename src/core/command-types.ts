// The vocabulary of operator commands: what can be asked, and how the core answers.

export type VassalAction = 'start' | 'stop' | 'reload' | 'dance';

export type RefusalCode = 'unknown-vassal' | 'shutting-down' | 'removed' | 'broken' | 'no-standin' | 'dance-running' | 'not-running';

export type CommandAnswer =
  | { readonly kind: 'accepted'; readonly id: number }
  | { readonly kind: 'refused'; readonly id: number; readonly code: RefusalCode; readonly reason: string };

export interface PendingCommand {
  readonly id: number;
  readonly action: VassalAction;
  /** The revision a reload must reach. */
  readonly rev: number;
  readonly acceptedAt: number;
  /** No outcome by then: the command is answered as failed (the vassal may still get there). */
  readonly deadline: number;
  /** A dance command whose dance has begun (a dance asked for during another operation waits for it). */
  readonly begun: boolean;
}
