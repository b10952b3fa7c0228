// Vassals whose text comes from an etcd key: the same loader as a file's, named etcd://…/KEY.
import { describe, expect, test } from '@jest/globals';
import { loadVassalContent } from '../../src/config/load-vassal-file.js';
import { formatProblem, loadOptionsOf } from '../../src/config/spec.js';
import { isEtcdVassalKey } from '../../src/config/vassal-files.js';
import { parseEtcdVassalsUrl } from '../../src/lib/etcd-url.js';

const FILE = 'etcd://127.0.0.1:2379/emperor/vassals/web.yml';
const opts = loadOptionsOf({ vassalWrapper: 'uwsgi', requiredHeartbeatMs: 30_000, tyrant: false, tyrantAllowRoot: false });
const load = (text: string, file = FILE, o = opts) => loadVassalContent(file, Buffer.from(text), o);

describe('loadVassalContent', () => {
  test('a good value loads, named from its key; relative paths resolve against / (there is no directory)', async () => {
    const r = await load('emperor:\n  command: [sleep, "1000"]\n  logto: web.log\n');
    if (!r.ok) throw new Error(r.errors.map(formatProblem).join('; '));
    expect(r.spec.name).toBe('web');
    expect(r.spec.file).toBe(FILE);
    expect(r.spec.process.cwd).toBe('/');
    expect(r.spec.process.log?.path).toBe('/web.log');
  });

  test('the format comes from the key: INI and JSON too', async () => {
    const ini = await load('[emperor]\ncommand = sleep 1000\n', FILE.replace('.yml', '.ini'));
    const json = await load('{"emperor": {"command": ["sleep", "1000"]}}', FILE.replace('.yml', '.json'));
    expect([ini.ok, json.ok]).toEqual([true, true]);
  });

  test.each([
    ['emperor: [unclosed', `${FILE}: `],
    ['emperor:\n  command: [sleep, "1"]\n  stop-timout: 3s\n', `${FILE}: emperor.stop-timout: `],
    ['', `${FILE}: file is empty`],
    ['a\u0000b', `${FILE}: not a text file`],
    ['[uwsgi]\nhttp-socket = :0\n', `${FILE.replace('.yml', '.ini')}: uwsgi: a uWSGI vassal cannot come from etcd`],
  ])('%j is refused as `url+key: key: problem`', async (text, start) => {
    const r = await load(text, text.startsWith('[uwsgi]') ? FILE.replace('.yml', '.ini') : FILE);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map(formatProblem).join('; ')).toContain(start);
  });

  test('tyrant mode needs an owner, and a key has none', async () => {
    const r = await load('emperor:\n  command: [sleep, "1"]\n', FILE, loadOptionsOf({ vassalWrapper: 'uwsgi', requiredHeartbeatMs: 30_000, tyrant: true, tyrantAllowRoot: false }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(formatProblem(r.errors[0]!)).toContain('has no owner');
  });
});

describe('isEtcdVassalKey', () => {
  test.each([
    ['/emperor/vassals/web.yml', true],
    ['/emperor/vassals/worker.ini', true],
    ['/emperor/vassals/sub/deep.yml', false],
    ['/emperor/vassals/README', false],
    ['/emperor/vassals/.web.yml', false],
    ['/emperor/other/web.yml', false],
  ])('%s: %s', (key, is) => {
    expect(isEtcdVassalKey('/emperor/vassals/', key)).toBe(is);
  });
});

describe('parseEtcdVassalsUrl', () => {
  test('hosts, prefix (a slash added at the end) and the origin as written', () => {
    expect(parseEtcdVassalsUrl('etcd://10.0.0.5:2379,10.0.0.6:2379/emperor/vassals')).toEqual({
      ok: true,
      hosts: ['http://10.0.0.5:2379', 'http://10.0.0.6:2379'],
      prefix: '/emperor/vassals/',
      origin: 'etcd://10.0.0.5:2379,10.0.0.6:2379',
    });
  });

  test.each(['etcd://127.0.0.1:2379', 'etcd://127.0.0.1:2379/', 'etcd://127.0.0.1/x/', 'etcd://h:2379/a//b/', 'http://h:2379/x/'])('%s is refused', (text) => {
    expect(parseEtcdVassalsUrl(text).ok).toBe(false);
  });
});
