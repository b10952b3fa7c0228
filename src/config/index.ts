// The public face of the config layer: what the runtime, the core and `emperor check` import.
export { loadVassalFile } from './load-vassal-file.js';
export { validateVassal } from './validate-vassal.js';
export type { ValidateContext } from './validate-vassal.js';
export { isVassalFileName, vassalNameOf, vassalFormatOf } from './vassal-file-name.js';
export type { VassalFormat } from './vassal-file-name.js';
export { findExecutable, programOf } from './find-executable.js';
export { parseDuration, formatDuration, MAX_DURATION_MS } from './duration.js';
export { parseSignal } from './stop-signal.js';
export { parseSocketAddress } from './socket-address.js';
export type { SocketAddress } from './socket-address.js';
export { formatProblem, MAX_VASSAL_FILE_BYTES } from './spec.js';
export type { Command, ConfigProblem, LoadOptions, LoadResult, ProcessSpec, ReadySpec, ReloadStrategy, SocketSpec, VassalSpec } from './spec.js';
