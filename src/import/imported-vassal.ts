// What every importer produces: vassal files to write, described in the emperor's own keys,
// with everything that did not map exactly said out loud (nothing is dropped silently).

/** One vassal file an importer wants written. */
export interface ImportedVassal {
  /** The vassal's name: its file name without the extension. */
  readonly name: string;
  /** Written into this subdirectory of the output (the emperor ignores subdirectories): a process that must not start by itself. */
  readonly subdir?: 'disabled';
  /** Where it came from, for the file's first comment line: `galaxy.conf [program:handler], process 1 of 2`. */
  readonly origin: string;
  /** The `emperor` section, in the order its keys are written. */
  readonly emperor: Readonly<Record<string, unknown>>;
  /** Notes on the whole file (group membership, singleton, defaults applied). */
  readonly notes: readonly string[];
  /** Source keys carried over with a difference in meaning: `key = value: what differs`. */
  readonly approximate: readonly string[];
  /** Source keys with no equivalent: `key = value: why`. */
  readonly unmapped: readonly string[];
}

/** A problem in the input, where it is: `file:line: message` (line 0: the file as a whole). */
export interface ImportProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** What an importer returns: the files to write and the warnings to print, or the problems of the input. */
export type ImportResult =
  | { readonly ok: true; readonly vassals: readonly ImportedVassal[]; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly problems: readonly ImportProblem[] };

export function formatImportProblem(p: ImportProblem): string {
  return p.line > 0 ? `${p.file}:${p.line}: ${p.message}` : `${p.file}: ${p.message}`;
}

/** Thrown inside an importer to stop at the first problem of the input; caught at its entry point. */
export class ImportInputError extends Error {
  constructor(readonly problem: ImportProblem) {
    super(formatImportProblem(problem));
    this.name = 'ImportInputError';
  }
}

// Run an importer's body, turning a thrown ImportInputError into a failed result
export async function collectImport(body: () => Promise<{ vassals: ImportedVassal[]; warnings: string[] }>): Promise<ImportResult> {
  try {
    const { vassals, warnings } = await body();
    return { ok: true, vassals, warnings };
  } catch (error) {
    if (error instanceof ImportInputError) return { ok: false, problems: [error.problem] };
    throw error;
  }
}
