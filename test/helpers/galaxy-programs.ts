// The real programs of today's Galaxy stack, from Debian: never mocked. Missing ones fail the
// test with the packages to install (.ci/run installs them).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const PACKAGES = 'gunicorn python3-celery python3-redis python3-psycopg2 redis-server postgresql';

export interface GalaxyPrograms {
  readonly python: string;
  readonly postgresBin: string;
}

export function requireGalaxyPrograms(): GalaxyPrograms {
  const missing: string[] = [];
  // Debian's python3, not whatever python3 is first on PATH (pyenv): it has the python3-* packages.
  const python = '/usr/bin/python3';
  try {
    execFileSync(python, ['-c', 'import celery, redis, psycopg2, gunicorn'], { stdio: 'pipe' });
  } catch {
    missing.push(`${python} with celery, redis, psycopg2 and gunicorn`);
  }
  for (const bin of ['/usr/bin/gunicorn', '/usr/bin/redis-server', '/usr/bin/psql']) if (!existsSync(bin)) missing.push(bin);
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
  const postgresBin = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => existsSync(`${d}/postgres`) && existsSync(`${d}/initdb`));
  if (!postgresBin) missing.push('/usr/lib/postgresql/*/bin/postgres');
  if (missing.length > 0 || !postgresBin) {
    throw new Error(`today's Galaxy stack needs ${missing.join(', ')}: apt-get install -y ${PACKAGES} (.ci/run does this)`);
  }
  return { python, postgresBin };
}
