import { describe, expect, test } from '@jest/globals';
import { stopWaves } from '../../src/cli/commands/stop-waves.js';

const status = (name: string, after: string[] = []) => ({ name, after });

describe('stopWaves', () => {
  test('dependents first, then what they start after; vassals unrelated to the others stop in the first wave', () => {
    const all = [status('db'), status('redis'), status('web', ['db']), status('celery', ['db', 'redis']), status('beat', ['celery']), status('alone')];
    expect(stopWaves(['db', 'redis', 'web', 'celery', 'beat', 'alone'], all)).toEqual([['web', 'beat', 'alone'], ['celery'], ['db', 'redis']]);
  });

  test('only the targets count: a dependent that is not stopped does not hold anything back', () => {
    expect(stopWaves(['db'], [status('db'), status('web', ['db'])])).toEqual([['db']]);
  });

  test('a cycle stops together instead of never', () => {
    expect(stopWaves(['a', 'b', 'c'], [status('a', ['b']), status('b', ['a']), status('c', ['a'])])).toEqual([['c'], ['a', 'b']]);
  });

  test('unknown names are kept (the emperor answers them with its own refusal)', () => {
    expect(stopWaves(['ghost', 'db'], [status('db')])).toEqual([['ghost', 'db']]);
  });
});
