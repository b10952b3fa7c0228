// Waits for a condition instead of sleeping; a timeout fails with the condition's name.
export async function waitFor<T>(probe: () => T | undefined | false | null | Promise<T | undefined | false | null>, opts: { timeout?: number; message: string; interval?: number }): Promise<T> {
  const deadline = Date.now() + (opts.timeout ?? 10_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false && v !== null) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${opts.timeout ?? 10_000} ms waiting for: ${opts.message}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, opts.interval ?? 25));
  }
}

// Checks that `invariant` stays true for a whole window: for tests that assert that something
// does NOT happen, where the window is the point of the test and no condition can end it early.
// Fails at the first check that finds it false.
export async function holdsFor(invariant: () => boolean | Promise<boolean>, opts: { ms: number; message: string; interval?: number }): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (!(await invariant())) throw new Error(`stopped holding after ${Date.now() - start} ms of ${opts.ms}: ${opts.message}`);
    if (Date.now() - start >= opts.ms) return;
    await new Promise((r) => setTimeout(r, opts.interval ?? 25));
  }
}
