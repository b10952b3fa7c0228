// POST /vassals/:name/(start|stop|reload|dance)[?wait=0] -> ActionOutcome
// 200 when outcome.ok, 409 when the action ran and failed; refusals are {error} with their status.
// Optional body: {"wait": false}. CLI: `emperor start|stop|reload NAME`, `emperor restart-dance NAME`.
import { EmperorError } from '../../errors.js';
import type { Route } from '../route.js';
import { sendJson } from '../respond.js';
import { parseJsonObject, readBody } from '../read-body.js';
import type { VassalAction } from '../../core/command-types.js';
import { parseBooleanParam } from './query-params.js';

export const VASSAL_ACTIONS: readonly VassalAction[] = ['start', 'stop', 'reload', 'dance'];

export const vassalAction: Route = {
  method: 'POST',
  path: '/vassals/:name/:action',
  async handle({ req, res, port, params, query }) {
    const body = parseJsonObject(await readBody(req));
    const name = params['name'] ?? '';
    const action = params['action'] ?? '';
    if (!isAction(action)) {
      throw new EmperorError('EMP_ERR_UNKNOWN_ACTION', `no action '${action}': expected one of ${VASSAL_ACTIONS.join(', ')}`);
    }
    const wait = readWait(body, query);
    const outcome = await port.act(name, action, wait);
    sendJson(res, outcome.ok ? 200 : 409, outcome);
  },
};

function isAction(value: string): value is VassalAction {
  return (VASSAL_ACTIONS as readonly string[]).includes(value);
}

// `?wait=0` or `{"wait": false}` answer as soon as the action is accepted; waiting is the default.
function readWait(body: Record<string, unknown>, query: URLSearchParams): boolean {
  const unknownKeys = Object.keys(body).filter((k) => k !== 'wait');
  if (unknownKeys.length > 0) {
    throw new EmperorError('EMP_ERR_BAD_REQUEST', `unknown key(s) in the request body: ${unknownKeys.join(', ')} (only "wait" is accepted)`);
  }
  if (body['wait'] !== undefined && typeof body['wait'] !== 'boolean') {
    throw new EmperorError('EMP_ERR_BAD_REQUEST', `expected "wait" to be true or false, got ${JSON.stringify(body['wait'])}`);
  }
  const fromQuery = parseBooleanParam(query, 'wait');
  return (body['wait'] as boolean | undefined) ?? fromQuery ?? true;
}
