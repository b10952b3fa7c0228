// The operator's words for the core's internal names and quantities: messages, notes and
// outcomes use these, so the same thing always reads the same way (docs/cli.md uses them too).
import type { DanceStep } from './operation.js';

/** Each dance step as the docs name it; the ids (`standin-starting` …) stay in the API's fields. */
export const DANCE_STEP_WORDS: Record<DanceStep, string> = {
  'standin-starting': 'stand-in starting',
  'main-stopping': 'old instance stopping',
  'main-starting': 'new instance starting',
  'standin-stopping': 'stand-in stopping',
};

// Every duration in a message is in seconds: 0.15s, 2s, 1.11s, 90s.
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))}s`;
}

// The one wording of "this vassal's file (or command, or sockets) cannot be used".
export function brokenWords(name: string, error: string): string {
  return `${name} is broken: ${error}`;
}
