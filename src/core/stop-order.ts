// Stop order: the reverse of the start order that `after` gives. When several vassals stop
// together (the emperor shuts down, the vassals directory goes away, the operator stops a
// stack), a vassal stops only once every vassal that names it in `after` and is stopping too
// has no instance left: web, handlers and workers go before the database they need.
//
// Two rules keep it from ever hanging:
// - vassals that name each other in a cycle (a -> b -> a) stop together: inside a cycle no
//   order is right, and waiting would wait forever;
// - a name that no vassal has is ignored: nothing can wait for a vassal that does not exist.
// A dependent that keeps running (its wish is still up) never holds a stop back: an operator
// who stops only postgres gets postgres stopped.

/** Names listed by a vassal's `after` (empty for unknown names and vassals without it). */
export type AfterOf = (name: string) => readonly string[];

// True when `from` reaches `to` by following `after` (the vassals it starts after).
function reaches(from: string, to: string, afterOf: AfterOf): boolean {
  const seen = new Set<string>([from]);
  const todo = [from];
  for (let name = todo.pop(); name !== undefined; name = todo.pop()) {
    for (const next of afterOf(name)) {
      if (next === to) return true;
      if (!seen.has(next)) {
        seen.add(next);
        todo.push(next);
      }
    }
  }
  return false;
}

/**
 * The vassals `name` must see gone before it stops: the `dependents` (vassals whose `after`
 * names it) that are stopping and still have instances, minus those in a cycle with it.
 */
export function stopAfter(name: string, dependents: readonly string[], stopping: (name: string) => boolean, afterOf: AfterOf): string[] {
  return dependents.filter((d) => d !== name && stopping(d) && !reaches(name, d, afterOf)).sort();
}

/**
 * The order in which to tell a batch of vassals to stop: dependents before what they depend
 * on (each name after every name in the batch that reaches it through `after`), cycles in
 * any order among themselves, otherwise by name. Telling them in this order lets each vassal
 * know, when its own stop arrives, which of its dependents are stopping too.
 */
export function stopSequence(names: readonly string[], afterOf: AfterOf): string[] {
  const batch = new Set(names);
  const order: string[] = [];
  const placed = new Set<string>();
  // Depth-first over `after` gives dependencies before dependents (start order); reversed, the stop order.
  const visit = (name: string, path: Set<string>): void => {
    if (placed.has(name) || path.has(name)) return; // done, or a cycle: its members go in any order
    path.add(name);
    for (const dep of [...afterOf(name)].sort()) if (batch.has(dep)) visit(dep, path);
    path.delete(name);
    placed.add(name);
    order.push(name);
  };
  for (const name of [...batch].sort()) visit(name, new Set());
  return order.reverse();
}
