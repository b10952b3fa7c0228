import { describe, test, expect } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ControlClient } from '../../src/control/client.js';
import { tempDir } from './helpers/temp-dir.js';

describe('ControlClient without an emperor', () => {
  test('a missing socket is EMP_ERR_UNREACHABLE naming the path and what to try', async () => {
    const dir = await tempDir();
    try {
      const path = join(dir.path, 'control.sock');
      await expect(new ControlClient(path).list()).rejects.toMatchObject({
        code: 'EMP_ERR_UNREACHABLE',
        message: `no emperor at ${path}: no such socket file (is it running? try --run-dir or EMPEROR_RUN_DIR)`,
      });
    } finally {
      await dir.remove();
    }
  });

  test('a file that is not a socket is EMP_ERR_UNREACHABLE too', async () => {
    const dir = await tempDir();
    try {
      const path = join(dir.path, 'control.sock');
      await writeFile(path, '');
      await expect(new ControlClient(path).events()).rejects.toMatchObject({ code: 'EMP_ERR_UNREACHABLE' });
    } finally {
      await dir.remove();
    }
  });
});
