// POST /vassals/:name/(start|stop|reload|dance)[?wait=0] -> ActionOutcome
// 200 when outcome.ok, 409 when the action ran and failed; refusals are {error} with their status.
// Optional body: {"wait": false}. CLI: `emperor start|stop|reload NAME`, `emperor restart-dance NAME`.
//
// POST /actions/:action {"names": [...], "wait"?: bool}[?wait=0] -> {results: BatchOutcome[]}
// One action for several vassals in one request, sent to them in one turn, so stops go
// dependents first. 200 when every result is ok, else 409. CLI: `emperor stop a b`, `stop --all`.
import { EmperorError } from '../../errors.js';
import type { Route } from '../route.js';
import { sendJson } from '../respond.js';
import { parseJsonObject, readBody } from '../read-body.js';
import type { VassalAction } from '../../core/command-types.js';
import { parseBooleanParam } from './query-params.js';

export const VASSAL_ACTIONS: readonly VassalAction[] = ['start', 'stop', 'reload', 'dance'];

/** Room for every name of a 10,000-vassal fleet (names are file names, at most 255 bytes). */
const MAX_BATCH_BODY_BYTES = 4 * 1024 * 1024;

export const vassalAction: Route = {
  method: 'POST',
  path: '/vassals/:name/:action',
  async handle({ req, res, port, params, query }) {
    const body = parseJsonObject(await readBody(req));
    const action = actionOf(params['action'] ?? '');
    const wait = readWait(body, query, ['wait']);
    const outcome = await port.act(params['name'] ?? '', action, wait);
    sendJson(res, outcome.ok ? 200 : 409, outcome);
  },
};

export const batchAction: Route = {
  method: 'POST',
  path: '/actions/:action',
  async handle({ req, res, port, params, query }) {
    const body = parseJsonObject(await readBody(req, MAX_BATCH_BODY_BYTES));
    const action = actionOf(params['action'] ?? '');
    const wait = readWait(body, query, ['wait', 'names']);
    const names = body['names'];
    if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string' && n !== '')) {
      throw new EmperorError('EMP_ERR_BAD_REQUEST', `expected "names" to be a list of vassal names, got ${JSON.stringify(names)?.slice(0, 80) ?? 'nothing'}`);
    }
    const results = await port.actAll([...new Set(names)], action, wait);
    sendJson(res, results.every((r) => r.ok) ? 200 : 409, { results });
  },
};

function actionOf(action: string): VassalAction {
  if ((VASSAL_ACTIONS as readonly string[]).includes(action)) return action as VassalAction;
  throw new EmperorError('EMP_ERR_UNKNOWN_ACTION', `no action '${action}': expected one of ${VASSAL_ACTIONS.join(', ')}`);
}

// `?wait=0` or `{"wait": false}` answer as soon as the action is accepted; waiting is the default.
function readWait(body: Record<string, unknown>, query: URLSearchParams, allowed: readonly string[]): boolean {
  const unknownKeys = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknownKeys.length > 0) {
    throw new EmperorError('EMP_ERR_BAD_REQUEST', `unknown key(s) in the request body: ${unknownKeys.join(', ')} (accepted: ${allowed.map((k) => `"${k}"`).join(', ')})`);
  }
  if (body['wait'] !== undefined && typeof body['wait'] !== 'boolean') {
    throw new EmperorError('EMP_ERR_BAD_REQUEST', `expected "wait" to be true or false, got ${JSON.stringify(body['wait'])}`);
  }
  const fromQuery = parseBooleanParam(query, 'wait');
  return (body['wait'] as boolean | undefined) ?? fromQuery ?? true;
}
