// Waits until a condition holds, failing with a named reason after `timeout` ms.
export async function waitFor(predicate: () => boolean | Promise<boolean>, opts: { timeout?: number; message: string }): Promise<void> {
  const deadline = Date.now() + (opts.timeout ?? 5000);
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${opts.message}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
