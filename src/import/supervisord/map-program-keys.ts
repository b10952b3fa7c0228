// The keys of one supervisord process, mapped onto the emperor's: exact where the meaning is
// the same, approximate (and said so) where it differs, consumed either way; the caller lists
// every key left over as having no equivalent.
import { constants } from 'node:os';
import path from 'node:path';
import { splitPosix } from '../shell-words.js';
import { byteSize, seconds } from '../units.js';

export interface ProgramKeys {
  /** The key's value, expanded; undefined when the section does not set it. */
  read(key: string): string | undefined;
  fail(key: string, message: string): never;
  /** [supervisord] environment, then the program's own: what the process gets on top of supervisord's. */
  readonly env: Readonly<Record<string, string>>;
  readonly configDir: string;
}

export interface MappedProgram {
  readonly emperor: Record<string, unknown>;
  readonly consumed: Set<string>;
  readonly approximate: string[];
  readonly unmapped: string[];
  readonly notes: string[];
  readonly autostart: boolean;
}

const TRUE = ['true', 'yes', 'on', '1'];
const FALSE = ['false', 'no', 'off', '0'];

export function mapProgramKeys(keys: ProgramKeys): MappedProgram {
  const emperor: Record<string, unknown> = {};
  const consumed = new Set(['process_name', 'numprocs', 'numprocs_start', 'priority', 'environment']);
  const approximate: string[] = [];
  const notes: string[] = [];
  const unmapped: string[] = [];
  const take = (key: string): string | undefined => {
    consumed.add(key);
    return keys.read(key);
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = take(key);
    if (v === undefined) return fallback;
    if (TRUE.includes(v.toLowerCase())) return true;
    if (FALSE.includes(v.toLowerCase())) return false;
    return keys.fail(key, `expected true or false, got ${JSON.stringify(v)}`);
  };
  const whole = (key: string): number | undefined => {
    const v = take(key);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v.trim())) keys.fail(key, `expected a whole number of seconds or times, got ${JSON.stringify(v)}`);
    return Number(v.trim());
  };

  const command = take('command');
  if (command === undefined) keys.fail('command', 'missing: every [program:x] needs a command (supervisord refuses it too)');
  const argv = splitPosix(command ?? '');
  if (!argv.ok) keys.fail('command', `${argv.message} in ${JSON.stringify(command)}`);
  if (argv.ok && argv.words.length === 0) keys.fail('command', 'empty');
  emperor.command = argv.ok ? argv.words : [];

  const directory = take('directory');
  if (directory !== undefined) {
    if (path.isAbsolute(directory)) emperor.cwd = directory;
    else {
      emperor.cwd = path.resolve(keys.configDir, directory);
      approximate.push(`directory = ${directory}: supervisord resolves it against its own working directory; written relative to the config file's directory`);
    }
  }
  if (Object.keys(keys.env).length > 0) emperor.env = { ...keys.env };
  const user = take('user');
  if (user !== undefined) emperor.user = /^\d+$/.test(user) ? Number(user) : user;
  const umask = take('umask');
  if (umask !== undefined) {
    if (!/^[0-7]{1,4}$/.test(umask.trim())) keys.fail('umask', `expected an octal umask like 022, got ${JSON.stringify(umask)}`);
    emperor.umask = umask.trim().padStart(3, '0');
  }
  const stopsignal = take('stopsignal');
  if (stopsignal !== undefined) emperor['stop-signal'] = signalName(stopsignal) ?? keys.fail('stopsignal', `not a signal this system knows: ${JSON.stringify(stopsignal)}`);
  const stopwait = whole('stopwaitsecs');
  if (stopwait !== undefined) emperor['stop-timeout'] = seconds(stopwait);
  const stopasgroup = bool('stopasgroup', false);
  const killasgroup = bool('killasgroup', stopasgroup);
  if (!stopasgroup && keys.read('stopasgroup') !== undefined) approximate.push('stopasgroup = false: the emperor sends the stop signal to the whole process group');
  if (!killasgroup && keys.read('killasgroup') !== undefined) approximate.push('killasgroup = false: the emperor SIGKILLs the whole process group after stop-timeout');

  const startsecs = whole('startsecs');
  if (startsecs !== undefined && startsecs > 0) {
    emperor.ready = `delay: ${seconds(startsecs)}`;
    if (startsecs >= 60) emperor['ready-timeout'] = seconds(startsecs + 60);
    approximate.push(`startsecs = ${startsecs}: ready after surviving ${startsecs} s (supervisord's RUNNING); a reload waits for it, and a death before it is a failed start`);
  }
  mapRestart(take, keys, emperor, approximate, notes);
  const startretries = whole('startretries');
  if (startretries !== undefined) {
    emperor['max-restarts'] = startretries;
    approximate.push(`startretries = ${startretries}: max-restarts counts respawns since the last healthy run, supervisord only failed starts (before startsecs)`);
  }
  mapLogs(take, keys, emperor, approximate, unmapped, notes);
  const autostart = bool('autostart', true);
  if (!autostart) notes.push('autostart = false: written under disabled/, which the emperor does not run (it ignores subdirectories); move the file up a directory to run it');
  return { emperor, consumed, approximate, unmapped, notes, autostart };
}

function mapRestart(take: (k: string) => string | undefined, keys: ProgramKeys, emperor: Record<string, unknown>, approximate: string[], notes: string[]): void {
  const autorestart = take('autorestart');
  const exitcodes = take('exitcodes');
  const codes = (exitcodes ?? '0').split(',').map((c) => c.trim());
  if (codes.some((c) => !/^\d+$/.test(c) || Number(c) > 255)) keys.fail('exitcodes', `expected exit codes like 0,2, got ${JSON.stringify(exitcodes)}`);
  const word = (autorestart ?? 'unexpected').toLowerCase();
  if (TRUE.includes(word)) emperor.restart = 'always';
  else if (FALSE.includes(word)) emperor.restart = 'never';
  else if (word === 'unexpected') {
    emperor.restart = 'on-failure';
    if (autorestart === undefined) notes.push("restart: on-failure is supervisord's default (autorestart = unexpected), applied");
  } else keys.fail('autorestart', `expected true, false or unexpected, got ${JSON.stringify(autorestart)}`);
  if (exitcodes !== undefined && !(codes.length === 1 && codes[0] === '0')) {
    approximate.push(`exitcodes = ${exitcodes}: the emperor counts exit 0 alone as expected${emperor.restart === 'on-failure' ? ', so restart: on-failure also restarts after the other codes listed' : ''}`);
  }
}

function mapLogs(
  take: (k: string) => string | undefined,
  keys: ProgramKeys,
  emperor: Record<string, unknown>,
  approximate: string[],
  unmapped: string[],
  notes: string[],
): void {
  const logfile = take('stdout_logfile');
  const redirect = take('redirect_stderr');
  const maxbytes = take('stdout_logfile_maxbytes');
  const backups = take('stdout_logfile_backups');
  const kind = logfile === undefined ? 'auto' : ['none', 'off'].includes(logfile.toLowerCase()) ? 'none' : logfile.toLowerCase() === 'auto' ? 'auto' : logfile.toLowerCase() === 'syslog' ? 'syslog' : 'file';
  const redirected = redirect !== undefined && TRUE.includes(redirect.toLowerCase());
  if (redirect !== undefined && !redirected && !FALSE.includes(redirect.toLowerCase())) keys.fail('redirect_stderr', `expected true or false, got ${JSON.stringify(redirect)}`);
  if (redirected) emperor['merge-stderr'] = true;
  if (kind !== 'file') {
    if (logfile !== undefined) approximate.push(`stdout_logfile = ${logfile}: output goes to the emperor's log (emperor logs NAME)`);
    for (const [key, v] of [['stdout_logfile_maxbytes', maxbytes], ['stdout_logfile_backups', backups]] as const) {
      if (v !== undefined) unmapped.push(`${key} = ${v}: no log file of the vassal's own to apply it to`);
    }
    return;
  }
  const file = (logfile ?? '').replace(/^~(?=\/|$)/, process.env.HOME ?? '~');
  emperor.logto = path.isAbsolute(file) ? file : path.resolve(keys.configDir, file);
  const size = parseByteSize(maxbytes ?? '50MB') ?? keys.fail('stdout_logfile_maxbytes', `expected a size like 50MB, got ${JSON.stringify(maxbytes)}`);
  const count = Number(backups ?? '10');
  if (!Number.isInteger(count) || count < 0) keys.fail('stdout_logfile_backups', `expected a whole number, got ${JSON.stringify(backups)}`);
  if (size > 0) {
    emperor['log-max-size'] = byteSize(size);
    emperor['log-backups'] = count;
  } else approximate.push('stdout_logfile_maxbytes = 0: no rotation by size; rotate with logrotate and `emperor reopen-logs`');
  const defaults = [maxbytes === undefined ? 'stdout_logfile_maxbytes = 50MB' : '', backups === undefined ? 'stdout_logfile_backups = 10' : ''].filter(Boolean);
  if (defaults.length > 0 && size > 0) notes.push(`supervisord's defaults applied: ${defaults.join(', ')}`);
  if (!redirected) approximate.push(`redirect_stderr = ${redirect ?? 'false'}: stderr goes to logto too (supervisord keeps it apart)`);
}

// supervisord's byte_size: a number of bytes, or with KB, MB or GB (units of 1024)
function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+)\s*(kb|mb|gb)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as 'kb'] ?? 1;
  return Number(m[1]) * unit;
}

// supervisord's signal_number: TERM, SIGTERM, term or a number -> SIGTERM
function signalName(text: string): string | undefined {
  const word = text.trim().toUpperCase();
  if (/^\d+$/.test(word)) return Object.entries(constants.signals).find(([, n]) => n === Number(word))?.[0];
  const name = word.startsWith('SIG') ? word : `SIG${word}`;
  return Object.hasOwn(constants.signals, name) ? name : undefined;
}
