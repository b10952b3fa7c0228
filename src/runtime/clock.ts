// The one way the runtime reads the time: injected, so tests and the core see the same clock.
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
