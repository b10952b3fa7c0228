// The level an event is logged at: routine lifecycle is info; what an operator should look at
// (a broken file, an unexpected exit, a throttle, a kill, a failed step) is warn or error.
import type { EventLevel, LifecycleEventBody } from './lifecycle-event.js';

export function levelOf(event: LifecycleEventBody): EventLevel {
  switch (event.type) {
    case 'broken':
    case 'fatal':
    case 'spawn-failed':
    case 'reload-failed':
    case 'dance-failed':
      return 'error';
    // Both a ready-timeout kill and the SIGKILL after stop-timeout: the instance did not do as asked.
    case 'killing':
      return 'warn';
    case 'exited':
      return event.expected ? 'info' : 'warn';
    case 'state':
      return event.state === 'throttled' || event.state === 'degraded' ? 'warn' : 'info';
    case 'done':
      return event.ok ? 'info' : 'warn';
    default:
      return 'info';
  }
}
