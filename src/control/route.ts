// What a control endpoint is: a method, a path pattern and a handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Access } from './dashboard/http-access.js';
import type { MetricsText } from './metrics-registry.js';
import type { SupervisorPort } from './supervisor-port.js';

export interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Decoded `:name` segments of the path. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly port: SupervisorPort;
  /** Which listener the request came in on, and what it allows (checked before the handler runs). */
  readonly access: Access;
  readonly metrics: MetricsText;
  readonly logger: Logger | undefined;
  /** Registers a long-lived response so that closing the server ends it; returns the unregister function. */
  readonly trackStream: (end: () => void) => () => void;
}

export interface Route {
  readonly method: 'GET' | 'POST';
  /** Like `/vassals/:name/logs`; `:x` matches one non-empty segment. */
  readonly path: string;
  handle(ctx: RouteContext): Promise<void> | void;
}
