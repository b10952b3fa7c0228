// The end of an exhaustive switch: a new variant that no case handles fails to compile here.
export function assertNever(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}
