// Carries out the core's effects: each one a call on the part of the runtime that owns it.
import type { Effect } from '../core/effects.js';
import type { Vassal } from '../core/vassal.js';
import { assertNever } from '../core/assert-never.js';
import type { EventBus } from './event-bus.js';
import type { FleetClaimsPort } from './fleet/fleet-port.js';
import type { InstanceWiring } from './instance-wiring.js';
import type { SocketHolder } from './socket-holder.js';

export interface InterpreterParts {
  readonly instances: InstanceWiring;
  readonly sockets: SocketHolder;
  readonly bus: EventBus;
  readonly fleet: FleetClaimsPort;
  /**
   * An effect threw: said by the caller (a log line with the vassal) and turned into the vassal's
   * event where there is one, never left to crash the emperor as an internal error.
   */
  readonly failed: (name: string, effect: Effect, err: Error) => void;
}

export function effectInterpreter(parts: InterpreterParts): (name: string, vassal: Vassal, effect: Effect) => void {
  const { failed } = parts;
  const carryOut = carrier(parts);
  return (name, vassal, effect) => {
    try {
      carryOut(name, vassal, effect);
    } catch (err) {
      failed(name, effect, err instanceof Error ? err : new Error(String(err)));
    }
  };
}

function carrier(parts: InterpreterParts): (name: string, vassal: Vassal, effect: Effect) => void {
  const { instances, sockets, bus, fleet } = parts;
  return (name, vassal, effect) => {
    switch (effect.type) {
      case 'spawn': {
        const pid = instances.spawn(name, vassal.file, effect);
        // Guarded from the moment the group exists, before anything else can happen.
        if (pid !== undefined && vassal.spec?.singleton === 'fleet') fleet.guardGroup(name, pid);
        return;
      }
      case 'stop':
        instances.handle(name, effect.generation)?.stop();
        return;
      case 'kill':
        instances.handle(name, effect.generation)?.kill();
        return;
      case 'uwsgi-reload':
        instances.handle(name, effect.generation)?.sendUwsgi(1);
        return;
      case 'go':
        instances.handle(name, effect.generation)?.go();
        return;
      case 'hold-sockets':
        sockets.hold(name, effect.key, effect.sockets);
        return;
      case 'forget':
        sockets.release(name);
        instances.release(name);
        return;
      case 'emit':
        instances.recordEvent(effect.event);
        bus.publish(effect.event);
        return;
      case 'fleet-claim':
        fleet.claim(name);
        return;
      case 'fleet-release':
        fleet.release(name);
        return;
      case 'log-to':
        instances.configureLog(name, effect.log);
        return;
      case 'answer':
        return; // the dispatcher answers the caller that sent the command
      default:
        assertNever(effect);
    }
  };
}
