import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { parseIni } from '../../src/config/parse-ini.js';
import { parseYaml } from '../../src/config/parse-yaml.js';
import { validateVassal } from '../../src/config/validate-vassal.js';
import type { ValidateContext } from '../../src/config/validate-vassal.js';

const ctx: ValidateContext = { file: '/srv/vassals/app.yml', format: 'yaml', contentHash: 'h', vassalWrapper: 'uwsgi' };

// Values a YAML or INI file can produce, including the odd ones (dates, binary, null-prototype objects).
const oddValue = fc.oneof(fc.date(), fc.uint8Array(), fc.constant(Object.create(null) as unknown), fc.double());
const anyValue = fc.oneof(fc.jsonValue(), oddValue, fc.anything());
const emperorKey = fc.constantFrom('command', 'cwd', 'env', 'stop-signal', 'stop-timeout', 'ready', 'ready-timeout', 'reload', 'sockets', 'standin', 'logto', 'heartbeat-timeout', 'restart', 'restart-burst', 'restart-window', 'max-restarts', 'other');
const emperorSection = fc.dictionary(emperorKey, anyValue);

describe('validateVassal', () => {
  test('never throws on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        expect(typeof validateVassal(raw, ctx).ok).toBe('boolean');
      }),
    );
  });

  test('never throws on arbitrary emperor and uwsgi sections, and every problem names this file', () => {
    fc.assert(
      fc.property(emperorSection, fc.option(anyValue), (emperor, uwsgi) => {
        const raw = uwsgi === null ? { emperor } : { emperor, uwsgi };
        const result = validateVassal(raw, ctx);
        if (!result.ok) {
          expect(result.errors.length).toBeGreaterThan(0);
          for (const problem of result.errors) expect(problem.file).toBe(ctx.file);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('never throws on documents parsed from arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        for (const parsed of [parseYaml(text), parseIni(text)]) {
          if (parsed.ok) validateVassal(parsed.raw, ctx);
        }
      }),
    );
  });

  test('a stand-in file named but not loaded is reported, not thrown', () => {
    const result = validateVassal({ emperor: { command: ['x'], standin: { file: 'other.yml' } } }, ctx);
    expect(result).toMatchObject({ ok: false, errors: [{ key: 'emperor.standin.file', message: expect.stringContaining('was not read') }] });
  });

  test('a valid document resolves without touching the file system', () => {
    const result = validateVassal({ emperor: { command: 'exec app', cwd: '/nowhere' } }, ctx);
    expect(result).toMatchObject({ ok: true, spec: { name: 'app', file: ctx.file, contentHash: 'h', process: { cwd: '/nowhere' } } });
  });
});
