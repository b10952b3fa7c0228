// The operator reads the docs' words: no internal step ids, one wording per condition, every
// duration in seconds, and an exit the emperor caused is never "unexpected".
import { describe, expect, test } from '@jest/globals';
import { toStatus } from '../../src/core/snapshot.js';
import { seconds } from '../../src/core/words.js';
import { Driver, processSpec, vassalSpec } from '../helpers/spec-builder.js';

const STEP_IDS = /standin-starting|main-stopping|main-starting|standin-stopping/;

function allMessages(d: Driver): string[] {
  return d.all.flatMap((e) => (e.type === 'emit' ? [e.event.message] : e.type === 'answer' && e.answer.kind === 'refused' ? [e.answer.reason] : []));
}

describe('operator words', () => {
  test('seconds() is the one duration unit', () => {
    expect(seconds(150)).toBe('0.15s');
    expect(seconds(2000)).toBe('2s');
    expect(seconds(1110)).toBe('1.11s');
    expect(seconds(0)).toBe('0s');
  });

  test('a ready-timeout kill is logged as the emperor killing it, not as an unexpected exit', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec({ process: processSpec({ readyTimeoutMs: 2000 }) }) });
    d.send({ type: 'spawned', generation: 1, pid: 101 });
    d.advance(2000);
    expect(d.emitted('killing')).toEqual(['killing generation 1: not ready within its ready-timeout (2s)']);
    d.send({ type: 'exited', generation: 1, code: null, signal: 'SIGKILL' });
    const [exited] = d.emitted('exited');
    expect(exited).toBe('generation 1 exited with signal SIGKILL: killed by the emperor, not ready within its ready-timeout (2s)');
    expect(exited).not.toMatch(/unexpected/);
  });

  test('an exit nobody asked for is unexpected', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    d.up(1);
    d.send({ type: 'exited', generation: 1, code: 3, signal: null, output: 'boom' });
    expect(d.emitted('exited')).toEqual(['generation 1 exited with code 3 (unexpected): boom']);
  });

  test('dance messages, notes and refusals never show step ids', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec({ reload: 'dance', standin: processSpec() }) });
    d.up(1);
    d.command('dance');
    expect(toStatus(d.v, d.now).note).toBe('restart dance: stand-in starting');
    d.command('dance');
    expect(d.answers()[0]).toMatchObject({ kind: 'refused', reason: 'a restart dance of web is already under way (stand-in starting)' });
    d.send({ type: 'file-removed' });
    const messages = allMessages(d);
    expect(messages.some((m) => /dance aborted at step "stand-in starting"/.test(m))).toBe(true);
    for (const m of messages) expect(m).not.toMatch(STEP_IDS);
  });

  test('a broken vassal reads the same whether the command is refused or fails', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    d.up(1);
    d.send({ type: 'file-invalid', file: '/vassals/web.yml', error: '/vassals/web.yml: emperor.command: required' });
    d.command('reload');
    expect(d.answers()[0]).toMatchObject({ kind: 'refused', reason: 'web is broken: /vassals/web.yml: emperor.command: required' });
    const s = new Driver();
    s.send({ type: 'file-loaded', spec: vassalSpec() });
    s.send({ type: 'spawned', generation: 1, pid: 101 });
    s.command('start');
    s.send({ type: 'spawn-failed', generation: 2, error: 'x', notFound: true });
    s.send({ type: 'file-invalid', file: '/vassals/web.yml', error: 'bad' });
    const done = s.all.flatMap((e) => (e.type === 'emit' && e.event.type === 'done' ? [e.event.message] : []));
    expect(done.length).toBeGreaterThan(0);
    for (const m of done) expect(m).toMatch(/^web is broken: /);
  });

  test('an operator stop carried over an emperor restart keeps the vassal stopped until start', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec(), stoppedByOperator: true });
    expect(d.kinds()).toEqual([]);
    const s = toStatus(d.v, d.now);
    expect(s.state).toBe('stopped');
    expect(s.note).toBe('stopped by the operator');
    d.send({ type: 'file-loaded', spec: vassalSpec() }); // a touch
    expect(d.kinds()).toEqual([]);
    d.command('start');
    expect(d.kinds()).toEqual(['spawn:1']);
  });
});
