// Operator commands as the core sees them: whether one is accepted, and when it has its outcome.
// The runtime only forwards: the answer and the outcome are decided here, from the facts.
import { emit, type Draft } from './draft.js';
import { exitWords } from './exit-words.js';
import { stateOf } from './snapshot.js';
import type { Vassal } from './vassal.js';
import { brokenWords, DANCE_STEP_WORDS, seconds } from './words.js';
import type { CommandAnswer, PendingCommand, RefusalCode, VassalAction } from './command-types.js';

type Refusal = Omit<Extract<CommandAnswer, { kind: 'refused' }>, 'id'>;

// The one wording of "no such vassal", for commands and for reads alike.
export function unknownVassal(name: string, known: readonly string[]): Refusal {
  const hint = known.length > 0 ? `known vassals: ${known.join(', ')}` : 'no vassals are loaded';
  return { kind: 'refused', code: 'unknown-vassal', reason: `no vassal named '${name}' (${hint})` };
}

// Why the vassal cannot take this command in its present state; null when it can.
export function refusal(v: Vassal, action: VassalAction): Refusal | null {
  const refuse = (code: RefusalCode, reason: string): Refusal => ({ kind: 'refused', code, reason });
  if (v.wish.want === 'gone') {
    return v.wish.by === 'shutdown' ? refuse('shutting-down', 'the emperor is shutting down') : refuse('removed', `${v.name}: its file was removed`);
  }
  if (action === 'stop' || action === 'start') return null;
  if (v.errorKind === 'config' || !v.spec) return refuse('broken', brokenWords(v.name, v.error ?? 'its file has not loaded'));
  if (action !== 'dance') return null;
  if (!v.spec.standin) return refuse('no-standin', `${v.name} has no stand-in: add \`standin:\` to its emperor section to dance`);
  if (v.op.kind === 'dance') return danceRunning(v);
  const serving = v.instances.some((i) => i.role === 'main' && i.phase === 'ready');
  if (!serving || v.wish.want !== 'up') return refuse('not-running', `${v.name} is not running: start it before dancing`);
  return null;
}

export function danceRunning(v: Vassal): Refusal {
  const step = v.op.kind === 'dance' ? ` (${DANCE_STEP_WORDS[v.op.step]})` : '';
  return { kind: 'refused', code: 'dance-running', reason: `a restart dance of ${v.name} is already under way${step}` };
}

// How long a command may take before it is answered as failed: two starts and stops of the
// original plus one of the stand-in, with room to spare.
export function commandDeadline(v: Vassal, now: number): number {
  const p = v.spec?.process;
  const s = v.spec?.standin;
  const per = (p?.readyTimeoutMs ?? 60_000) + (p?.stopTimeoutMs ?? 10_000);
  return now + per * 2 + (s ? s.readyTimeoutMs + s.stopTimeoutMs : 0) + 5_000;
}

type Verdict = { readonly ok: boolean; readonly message: string; readonly step?: string } | null;

// Emits the outcome of every pending command that has one after this step.
export function settleCommands(d: Draft): void {
  if (d.v.commands.length === 0) return;
  const left: PendingCommand[] = [];
  for (const c of d.v.commands) {
    const verdict = judge(d, c);
    if (!verdict) {
      left.push(c);
      continue;
    }
    emit(d, { type: 'done', command: c.id, action: c.action, ok: verdict.ok, message: verdict.message, ...(verdict.step ? { step: verdict.step } : {}) });
  }
  d.v = { ...d.v, commands: left };
}

function judge(d: Draft, c: PendingCommand): Verdict {
  const v = d.v;
  const name = v.name;
  if (c.action === 'stop') return v.instances.length === 0 ? { ok: true, message: `${name}: stopped` } : null;
  if (c.deadline <= d.now) return { ok: false, message: `${name}: no outcome within ${seconds(c.deadline - c.acceptedAt)} (state ${stateOf(v, d.now)})` };
  if (c.action === 'dance') return judgeDance(d, c);
  if (v.wish.want !== 'up') return { ok: false, message: `${name}: stopped before it was ready (${v.wish.want === 'gone' ? v.wish.by : `stopped by the ${v.wish.by}`})` };
  if (v.error) return { ok: false, message: brokenWords(name, v.error) };
  if (c.action === 'reload' && v.failedRev !== null && v.failedRev >= c.rev) return { ok: false, message: `${name}: ${v.failedReason ?? 'reload failed'}` };
  const state = stateOf(v, d.now);
  if (state === 'throttled') {
    const e = v.lastExit;
    return { ok: false, message: `${name}: instance keeps dying; throttled (last exit ${e ? exitWords(e.code, e.signal) : 'unknown'})` };
  }
  const mainReady = v.instances.find((i) => i.role === 'main' && i.phase === 'ready');
  const fresh = c.action === 'start' || (mainReady !== undefined && mainReady.rev >= c.rev);
  if (state === 'running' && mainReady && fresh && v.op.kind === 'none') return { ok: true, message: `${name}: running (pid ${mainReady.pid}, generation ${mainReady.generation})` };
  return null;
}

// A dance has its outcome when its own done or failed event goes out in this step.
function judgeDance(d: Draft, c: PendingCommand): Verdict {
  if (!c.begun) {
    return d.v.wish.want === 'up' ? null : { ok: false, message: `${d.v.name}: the vassal was stopped before its dance began` };
  }
  for (const e of d.effects) {
    if (e.type !== 'emit') continue;
    if (e.event.type === 'dance-done') return { ok: true, message: `${d.v.name}: ${e.event.message}` };
    if (e.event.type === 'dance-failed') return { ok: false, message: `${d.v.name}: ${e.event.message}`, step: e.event.step };
  }
  return null;
}
