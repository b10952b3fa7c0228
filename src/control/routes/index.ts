// Every control endpoint, in match order (docs/api.md describes each).
import type { Route } from '../route.js';
import { dashboardRoutes } from '../dashboard/routes.js';
import { emperorInfo } from './emperor-info.js';
import { events } from './events.js';
import { fleet } from './fleet.js';
import { fleetDance } from './fleet-dance.js';
import { getVassal } from './get-vassal.js';
import { listVassals } from './list-vassals.js';
import { allLogs, logs } from './logs.js';
import { metrics } from './metrics.js';
import { reopenLogs } from './reopen-logs.js';
import { batchAction, vassalAction } from './vassal-action.js';

export const routes: readonly Route[] = [listVassals, getVassal, logs, allLogs, vassalAction, batchAction, events, metrics, emperorInfo, reopenLogs, fleet, fleetDance, ...dashboardRoutes];
