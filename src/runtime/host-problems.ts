// What is wrong with the emperor's own surroundings rather than with one vassal: the vassals
// directory is missing, the run dir cannot be written, an etcd source of vassals is disconnected. Shown in `emperor status`, GET /emperor,
// the metrics and systemd's STATUS= while it lasts.
export type HostProblemKey = 'vassals-dir' | 'run-dir' | `vassals-source ${string}`;

export class HostProblems {
  readonly #problems = new Map<HostProblemKey, string>();
  readonly #listeners = new Set<() => void>();

  set(key: HostProblemKey, problem: string | null): void {
    if ((this.#problems.get(key) ?? null) === problem) return;
    if (problem === null) this.#problems.delete(key);
    else this.#problems.set(key, problem);
    for (const l of this.#listeners) l();
  }

  list(): string[] {
    return [...this.#problems.values()];
  }

  onChange(listener: () => void): void {
    this.#listeners.add(listener);
  }
}
