// src/core decides; it must not do. No I/O modules, no clock, no timers, no randomness.
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const CORE = join(import.meta.dirname, '..', '..', 'src', 'core');
const FORBIDDEN = [
  /from ['"]node:/,
  /from ['"](execa|chokidar|pino|prom-client|js-yaml|ini)['"]/,
  /from ['"]\.\.\/(runtime|control|cli)\//,
  /\bDate\.now\(|new Date\(/,
  /\bset(Timeout|Interval|Immediate)\(/,
  /\bMath\.random\(/,
  /(?<![.\w])process\.(env|exit|kill|pid|on|hrtime|argv|cwd|nextTick|stdout|stderr)\b/,
];

describe('the core is pure', () => {
  const files = readdirSync(CORE).filter((f) => f.endsWith('.ts'));
  test.each(files)('%s imports nothing effectful and reads no clock', (file) => {
    const text = readFileSync(join(CORE, file), 'utf8');
    for (const pattern of FORBIDDEN) expect(text).not.toMatch(pattern);
  });
});
