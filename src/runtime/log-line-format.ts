// How one captured line is written to a `logto` file, and read back from it.
//   timestamped: 2026-12-03T07:12:00.123Z #3 stdout: the instance's line
//                2026-12-03T07:12:00.140Z #4 standin stderr+: a line cut at 64 KiB, continued below
//                2026-12-03T07:12:01.002Z #3 emperor warn: generation 3 exited with code 1 (unexpected)
//                2026-12-03T07:12:01.002Z - emperor: vassal file /v/web.yml changed or touched
//   json:        {"time":"…","generation":3,"stream":"stdout","line":"…"} (+ role, level, continued)
//   plain:       the line as the instance wrote it; lifecycle lines are left out
import type { LogFormat } from '../core/spec.js';
import type { OutputLine } from '../core/status.js';
import type { OutputChunk } from './read-lines.js';


const TIMESTAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (?:#(\d+)|-)( standin)? (stdout|stderr|emperor)(?: (warn|error))?(\+)?: (.*)$/s;

// The text to append for one line (with its newline), or null when the format leaves it out.
export function formatLogLine(format: LogFormat, l: OutputLine): string | null {
  switch (format) {
    case 'plain':
      return l.stream === 'emperor' ? null : `${l.line}\n`;
    case 'json':
      return `${JSON.stringify({
        time: isoTime(l.at ?? 0),
        generation: l.generation,
        ...(l.role ? { role: l.role } : {}),
        stream: l.stream,
        ...(l.level ? { level: l.level } : {}),
        ...(l.continued ? { continued: true } : {}),
        line: l.line,
      })}\n`;
    case 'timestamped': {
      const gen = l.generation > 0 ? `#${l.generation}` : '-';
      const role = l.role ? ` ${l.role}` : '';
      const level = l.level && l.level !== 'info' ? ` ${l.level}` : '';
      return `${isoTime(l.at ?? 0)} ${gen}${role} ${l.stream}${level}${l.continued ? '+' : ''}: ${l.line}\n`;
    }
  }
}

/** The lines of one read from an instance's pipe, all with the same time, generation and stream. */
export interface LineBatch {
  readonly at: number;
  readonly generation: number;
  readonly stream: 'stdout' | 'stderr';
  readonly role?: 'standin';
  readonly chunk: OutputChunk;
}

// What to append for a whole batch: lines, and the prefix that goes before each of them. In the
// common case (whole lines as bytes) no string is made per line and nothing is allocated: plain
// appends the pipe's bytes as they came, timestamped the same bytes with one prefix, made once
// per read, before each line (the log file copies both into its pages).
export function formatLogBatch(format: LogFormat, b: LineBatch): { readonly data: Buffer; readonly prefix: Buffer | null } {
  const bytes = b.chunk.bytes;
  if (bytes && format === 'plain') return { data: bytes, prefix: null };
  if (bytes && format === 'timestamped') return { data: bytes, prefix: batchPrefix(b, b.chunk.cut !== null) };
  return { data: formatLines(format, b), prefix: null };
}

// The slow path: lines with CRs, pieces of long lines, or JSON, one string per line.
function formatLines(format: LogFormat, b: LineBatch): Buffer {
  if (format === 'plain') return Buffer.from(`${b.chunk.lines.join('\n')}\n`, 'utf8');
  let text = '';
  for (const [i, line] of b.chunk.lines.entries()) text += formatLogLine(format, recordOf(b, i, line));
  return Buffer.from(text, 'utf8');
}

// One line of a batch as the record the API and the ring carry.
export function recordOf(b: LineBatch, i: number, line: string): OutputLine {
  return { at: b.at, generation: b.generation, stream: b.stream, line, ...(b.role ? { role: b.role } : {}), ...(b.chunk.cut?.[i] ? { continued: true as const } : {}) };
}


// The timestamped prefix of a batch's lines, kept while time, generation, role and stream stay
// the same (successive reads mostly share the millisecond).
let lastPrefixKey = '';
let lastPrefix = Buffer.alloc(0);
function batchPrefix(b: LineBatch, continued: boolean): Buffer {
  const key = `${b.at} ${b.generation}${b.role ? ` ${b.role}` : ''} ${b.stream}${continued ? '+' : ''}`;
  if (key !== lastPrefixKey) {
    lastPrefixKey = key;
    lastPrefix = Buffer.from(`${isoTime(b.at)} #${key.slice(key.indexOf(' ') + 1)}: `, 'utf8');
  }
  return lastPrefix;
}

// One line of a file back into its record (a line this format does not recognise is kept as text).
export function parseLogLine(format: LogFormat, text: string): OutputLine {
  if (format === 'json') return parseJsonLine(text);
  if (format === 'timestamped') {
    const m = TIMESTAMPED.exec(text);
    if (m) {
      const [, time = '', gen, standin, stream = 'stdout', level, plus, line = ''] = m;
      return {
        at: Date.parse(time),
        generation: gen === undefined ? 0 : Number(gen),
        stream: stream as OutputLine['stream'],
        line,
        ...(standin ? { role: 'standin' as const } : {}),
        ...(stream === 'emperor' ? { level: (level ?? 'info') as 'info' | 'warn' | 'error' } : {}),
        ...(plus ? { continued: true as const } : {}),
      };
    }
  }
  return { at: null, generation: 0, stream: 'stdout', line: text };
}

function parseJsonLine(text: string): OutputLine {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    const stream = o['stream'] === 'stderr' || o['stream'] === 'emperor' ? o['stream'] : 'stdout';
    const level = o['level'];
    return {
      at: typeof o['time'] === 'string' ? Date.parse(o['time']) : null,
      generation: typeof o['generation'] === 'number' ? o['generation'] : 0,
      stream,
      line: typeof o['line'] === 'string' ? o['line'] : text,
      ...(o['role'] === 'standin' ? { role: 'standin' as const } : {}),
      ...(level === 'info' || level === 'warn' || level === 'error' ? { level } : {}),
      ...(o['continued'] === true ? { continued: true as const } : {}),
    };
  } catch {
    return { at: null, generation: 0, stream: 'stdout', line: text };
  }
}

// toISOString costs a Date per call: at millions of lines a second, most share the millisecond.
let lastMs = -1;
let lastIso = '';
function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
