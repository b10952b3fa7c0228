// What the runtime asks for when it starts one instance.
import type { ProcessSpec } from '../core/spec.js';
import type { GroupSweeper } from './group-sweeper.js';
import type { OutputPipes } from './output-pipes.js';

export interface SpawnRequest {
  readonly vassal: string;
  readonly generation: number;
  readonly role: 'main' | 'standin';
  readonly process: ProcessSpec;
  /** Held listening sockets, in order: they become fds 3, 4, … */
  readonly sockets: readonly { readonly name: string; readonly fd: number }[];
  /** Waits, for every instance of the emperor at once, until an exited leader's group is empty. */
  readonly sweeper: GroupSweeper;
  /** Makes the pipes for stdout and stderr; absent: Node's socket pairs. */
  readonly outputPipes?: OutputPipes;
  /** The instance's own cgroup directory (it joins it before exec); absent: its process group alone contains it. */
  readonly cgroup?: string;
  /** Held until `go()`: the instance gets EMPEROR_GO_FD, a pipe that yields one byte when it may go on. */
  readonly held?: boolean;
  /** Variables the runtime adds for this instance only (NOTIFY_SOCKET). */
  readonly extraEnv?: Readonly<Record<string, string>>;
}
