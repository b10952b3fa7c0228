// Real uWSGI for the tests: never mocked. When it is missing, the tests fail with how to install it.
import { existsSync } from 'node:fs';
import { findExecutable } from '../../src/config/find-executable.js';

export function requireUwsgi(): string {
  const bin = findExecutable('uwsgi', process.env.PATH ?? '', process.cwd());
  const plugin = ['/usr/lib/uwsgi/plugins/python3_plugin.so'].some((p) => existsSync(p));
  if (!bin || !plugin) {
    throw new Error('uWSGI is not installed: these tests need real uWSGI. Install it with `apt-get install -y uwsgi-core uwsgi-plugin-python3` (.ci/run does this).');
  }
  return bin;
}
