import { describe, expect, test } from '@jest/globals';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadVassalFile } from '../../src/config/load-vassal-file.js';
import { MAX_VASSAL_FILE_BYTES } from '../../src/config/spec.js';
import { OPTS, loadProblems, useVassalDir } from './vassal-dir.js';

const vassals = useVassalDir();

describe('files that cannot be vassals', () => {
  test('a file over 1 MiB is refused with its size', async () => {
    const size = MAX_VASSAL_FILE_BYTES + 1;
    const file = await vassals.write('big.yml', `emperor:\n  command: [sh]\n#${'x'.repeat(size - 27)}\n`);
    expect((await loadProblems(file)).errors).toEqual([{ file, key: '', message: expect.stringContaining(`file is larger than 1 MiB (${size} bytes)`) }]);
  });

  test('an empty file is refused', async () => {
    const file = await vassals.write('empty.yml', '');
    expect((await loadProblems(file)).errors).toEqual([{ file, key: '', message: 'file is empty' }]);
  });

  test('a whitespace-only file is refused as empty', async () => {
    const file = await vassals.write('blank.ini', '\n   \n');
    expect((await loadProblems(file)).errors).toEqual([{ file, key: '', message: expect.stringContaining('file is empty') }]);
  });

  test('binary garbage with NUL bytes is not a text file', async () => {
    const file = await vassals.write('bin.yml', Buffer.from([0x65, 0x6d, 0x00, 0xff, 0x10, 0x00]));
    expect((await loadProblems(file)).errors).toEqual([{ file, key: '', message: expect.stringContaining('not a text file') }]);
  });

  test('invalid UTF-8 is not a text file', async () => {
    const file = await vassals.write('latin1.yml', Buffer.from('emperor:\n  command: [caf\xe9]\n', 'latin1'));
    expect((await loadProblems(file)).errors).toEqual([{ file, key: '', message: expect.stringContaining('not a text file') }]);
  });

  test('a UTF-8 byte order mark is accepted', async () => {
    const file = await vassals.write('bom.json', '\ufeff{"emperor": {"command": ["sh"]}}');
    expect((await loadVassalFile(file, OPTS)).ok).toBe(true);
  });

  test('a directory named like a vassal is not a regular file', async () => {
    const dir = path.join(vassals.dir, 'dir.yml');
    await mkdir(dir);
    expect((await loadProblems(dir)).errors).toEqual([{ file: dir, key: '', message: expect.stringContaining('not a regular file (a directory)') }]);
  });

  test('a file that vanished is reported, not thrown', async () => {
    const file = path.join(vassals.dir, 'gone.yml');
    const result = await loadVassalFile(file, OPTS);
    expect(result).toEqual({ ok: false, name: 'gone', file, errors: [{ file, key: '', message: 'file does not exist' }], warnings: [] });
  });

  test('a relative path is made absolute', async () => {
    const file = await vassals.write('rel.yml', 'emperor:\n  command: [sh]\n');
    const result = await loadVassalFile(path.relative(process.cwd(), file), OPTS);
    expect(result.ok && result.spec.file).toBe(file);
  });
});
