// The vassals directory's own states, decided without I/O (the clock is an argument), and the
// bounds of what status shows.
import { describe, expect, test } from '@jest/globals';
import { STATUS_TEXT_MAX, toStatus, WARNINGS_SHOWN } from '../../src/core/snapshot.js';
import { newVassal } from '../../src/core/vassal.js';
import { DIR_MISSING, dirStep, initialDirState } from '../../src/core/vassals-dir.js';
import { vassalSpec } from '../helpers/spec-builder.js';

const here = { kind: 'present', id: '1:10', real: '/srv/releases/r1' } as const;
const r2 = { kind: 'present', id: '1:20', real: '/srv/releases/r2' } as const;
const gone = { kind: 'absent', why: 'no such directory' } as const;

describe('dirStep', () => {
  test('the same directory changes nothing', () => {
    const r = dirStep(initialDirState(here.id, here.real), here, 0, 10_000, '/srv/vassals');
    expect(r.actions).toEqual([]);
    expect(r.log).toBeNull();
  });

  test('another directory at the path (a release switch) is followed at once, with a warning', () => {
    const r = dirStep(initialDirState(here.id, here.real), r2, 0, 10_000, '/srv/vassals');
    expect(r.actions).toEqual(['disarm', 'arm']);
    expect(r.state).toEqual({ kind: 'watching', id: r2.id, real: r2.real });
    expect(r.log?.level).toBe('warn');
  });

  test('a vanished directory keeps its vassals for the grace period, then lets them go once', () => {
    const missing = dirStep(initialDirState(here.id, here.real), gone, 1000, 10_000, '/srv/vassals');
    expect(missing.actions).toEqual(['disarm']);
    expect(missing.log?.level).toBe('error');
    expect(missing.log?.message).toContain(DIR_MISSING);
    expect(missing.wakeAt).toBe(11_000);
    const early = dirStep(missing.state, gone, 10_999, 10_000, '/srv/vassals');
    expect(early.actions).toEqual([]);
    expect(early.wakeAt).toBe(11_000);
    const over = dirStep(early.state, gone, 11_000, 10_000, '/srv/vassals');
    expect(over.actions).toEqual(['release']);
    expect(dirStep(over.state, gone, 20_000, 10_000, '/srv/vassals').actions).toEqual([]);
  });

  test('a grace of 0 lets the vassals go at once', () => {
    expect(dirStep(initialDirState(here.id, here.real), gone, 0, 0, '/d').actions).toEqual(['disarm', 'release']);
  });

  test('a directory back after it went is watched again, before or after the grace period', () => {
    const missing = dirStep(initialDirState(here.id, here.real), gone, 0, 10_000, '/d');
    const back = dirStep(missing.state, here, 5000, 10_000, '/d');
    expect(back.actions).toEqual(['arm']);
    expect(back.state.kind).toBe('watching');
    const released = dirStep(missing.state, gone, 10_000, 10_000, '/d');
    expect(dirStep(released.state, r2, 30_000, 10_000, '/d').actions).toEqual(['arm']);
  });
});

describe('status stays bounded', () => {
  test('a file with 60,000 warnings shows the first 20 and how many more; texts are capped', () => {
    const warnings = Array.from({ length: 60_000 }, (_, i) => `f.yml: key${i}: unknown key`);
    const v = { ...newVassal('w', '/v/w.yml'), spec: vassalSpec({ warnings }), error: 'x'.repeat(100_000) };
    const s = toStatus(v, 0);
    expect(s.warnings).toHaveLength(WARNINGS_SHOWN + 1);
    expect(s.warnings[WARNINGS_SHOWN]).toMatch(/^and 59980 more warning/);
    expect(s.error!.length).toBeLessThan(STATUS_TEXT_MAX + 100);
    expect(JSON.stringify(s).length).toBeLessThan(20_000);
  });
});
