// GET /vassals/:name/logs?n=100[&since=EPOCH_MS][&follow=1] -> NDJSON of OutputLine: the last n
// lines (from the vassal's `logto` file when it has one, else from memory), then with follow=1
// every new line until the client closes. GET /logs?… does the same for every vassal, each line
// with its `vassal`. CLI: `emperor logs NAME|--all [-n N] [--since 10m] [-f]`.
import type { OutputLine } from '../../core/status.js';
import type { Route, RouteContext } from '../route.js';
import { startNdjson } from '../ndjson-stream.js';
import { parseBooleanParam, parseIntParam } from './query-params.js';
import { requireVassal } from './require-vassal.js';

const MAX_LOG_LINES = 100_000;

export const logs: Route = {
  method: 'GET',
  path: '/vassals/:name/logs',
  async handle(ctx) {
    const name = ctx.params['name'] ?? '';
    const { n, since, follow } = readParams(ctx);
    requireVassal(ctx.port, name);
    // Listen first, so that no line falls between the history and the follow.
    const live: OutputLine[] = [];
    let send: ((l: OutputLine) => void) | null = null;
    const unfollow = follow ? ctx.port.followOutput(name, (l) => (send ? send(l) : live.push(l))) : null;
    try {
      const history = (await ctx.port.output(name, n, since)) ?? [];
      const stream = startNdjson(ctx);
      for (const line of history) stream.write(line);
      if (!unfollow) {
        stream.end();
        return;
      }
      for (const line of afterHistory(history, live)) stream.write(line);
      send = (l) => stream.write(l);
      stream.onEnd(unfollow);
    } catch (err) {
      unfollow?.();
      throw err;
    }
  },
};

export const allLogs: Route = {
  method: 'GET',
  path: '/logs',
  async handle(ctx) {
    const { n, since, follow } = readParams(ctx);
    const live: OutputLine[] = [];
    let send: ((l: OutputLine) => void) | null = null;
    const unfollow = follow ? ctx.port.followAllOutput((vassal, l) => (send ? send({ ...l, vassal }) : live.push({ ...l, vassal }))) : null;
    try {
      const names = ctx.port.list().map((v) => v.name);
      const perVassal = await Promise.all(names.map(async (name) => ((await ctx.port.output(name, n, since)) ?? []).map((l) => ({ ...l, vassal: name }))));
      // Interleaved by time; lines without one (plain files) keep their place within their vassal.
      const history = perVassal.flat().sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
      const stream = startNdjson(ctx);
      for (const line of history) stream.write(line);
      if (!unfollow) {
        stream.end();
        return;
      }
      for (const line of live.filter((l) => history.length === 0 || (l.at ?? 0) >= (history.at(-1)?.at ?? 0))) stream.write(line);
      send = (l) => stream.write(l);
      stream.onEnd(unfollow);
    } catch (err) {
      unfollow?.();
      throw err;
    }
  },
};

function readParams(ctx: RouteContext): { n: number; since: number | null; follow: boolean } {
  const n = parseIntParam(ctx.query, 'n', 100, 0, MAX_LOG_LINES);
  const since = ctx.query.has('since') ? parseIntParam(ctx.query, 'since', 0, 0, Number.MAX_SAFE_INTEGER) : null;
  const follow = parseBooleanParam(ctx.query, 'follow') ?? false;
  return { n, since, follow };
}

// The live lines not already in the history: those after the last history line, when the
// history (read from a file after they arrived) already holds some of them.
function afterHistory(history: readonly OutputLine[], live: readonly OutputLine[]): OutputLine[] {
  const last = history.at(-1);
  if (!last) return [...live];
  const same = (l: OutputLine): boolean => l.at === last.at && l.generation === last.generation && l.stream === last.stream && l.line === last.line;
  const i = live.findIndex(same);
  return i >= 0 ? live.slice(i + 1) : live.filter((l) => (l.at ?? 0) >= (last.at ?? 0) && !same(l));
}
