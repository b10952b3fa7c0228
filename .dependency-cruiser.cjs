// The layer rules of src/, checked by `npm run lint` (part of `npm test`).
//
//   core     the pure state machine: no I/O, no packages, no other layer
//   lib      small leaf helpers (node builtins and packages only)
//   config   reads vassal files into core's spec types
//   import   other process managers' configs -> vassal files (checked with config's loader)
//   runtime  the I/O half: processes, sockets, files
//   control  the control API (HTTP over a unix socket) and its client
//   cli      the command line, a client of control
//   daemon   the composition root: the only place runtime and control meet
//
// Paths are relative to the repository root; type-only imports count as edges too
// (tsPreCompilationDeps), since a layer that names another's types depends on it.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-only-core',
      comment:
        'src/core is the pure, deterministic heart (events in, effects out): it is unit-tested without I/O, so it may ' +
        'import nothing outside src/core: no node: builtins, no npm packages, no other src layer.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { pathNot: '^src/core/' },
    },
    {
      name: 'lib-is-a-leaf',
      comment:
        'src/lib holds small single-concern helpers that any layer may use; importing another src layer would make ' +
        'every user depend on that layer too (and invite cycles). Node builtins and npm packages are fine.',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: '^src/', pathNot: '^src/lib/' },
    },
    {
      name: 'config-only-below-itself',
      comment:
        'src/config turns vassal files into core spec types; the CLI (`emperor check`) uses it without a daemon, so ' +
        'it may import only src/core, src/lib, src/errors.ts (plus builtins and packages), never runtime, control, ' +
        'cli or daemon.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: ['^src/(config|core|lib)/', '^src/errors\\.ts$'] },
    },
    {
      name: 'import-only-below-itself',
      comment:
        'src/import turns supervisord, Gravity and PM2 configs into vassal files and checks them with the config ' +
        'loader; it runs without a daemon, so it may import only src/config, src/core, src/lib and src/errors.ts ' +
        '(plus builtins and packages), never runtime, control, cli or daemon.',
      severity: 'error',
      from: { path: '^src/import/' },
      to: { path: '^src/', pathNot: ['^src/(import|config|core|lib)/', '^src/errors\\.ts$'] },
    },
    {
      name: 'control-not-runtime',
      comment:
        'src/control talks to the fleet only through the supervisor port it defines; knowing src/runtime (or the ' +
        'cli, or the daemon that wires it up) would tie the API to one implementation and make it untestable alone.',
      severity: 'error',
      from: { path: '^src/control/' },
      to: { path: '^src/(runtime|cli|daemon)/' },
    },
    {
      name: 'runtime-not-control',
      comment:
        'src/runtime does the I/O for the core and knows nothing of how it is controlled: the control API, the cli ' +
        'and the daemon (which wires runtime to control) all sit above it.',
      severity: 'error',
      from: { path: '^src/runtime/' },
      to: { path: '^src/(control|cli|daemon)/' },
    },
    {
      name: 'cli-not-runtime',
      comment:
        'src/cli is a client of the control API (and of config for `check`); it never reaches into src/runtime. ' +
        'Starting the daemon goes through src/daemon, from src/cli/commands/daemon.ts only (next rule).',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/runtime/' },
    },
    {
      name: 'cli-daemon-only-from-daemon-command',
      comment:
        'Only `emperor --vassals DIR` (src/cli/commands/daemon.ts) starts the daemon in-process; every other command ' +
        'talks to a running daemon over the control socket and must not load the daemon.',
      severity: 'error',
      from: { path: '^src/cli/', pathNot: '^src/cli/commands/daemon\\.ts$' },
      to: { path: '^src/daemon/' },
    },
    {
      name: 'runtime-wired-only-by-daemon',
      comment:
        'src/daemon is the composition root: the only module that may import both runtime and control. With the ' +
        'rules above (control, cli, config, core and lib never import runtime; runtime never imports control) it is ' +
        'enough that nothing else in src (a file at src/ root, a new directory) imports runtime either.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(runtime|daemon|control|cli|config|core|lib|import)/' },
      to: { path: '^src/runtime/' },
    },
    {
      name: 'no-circular',
      comment:
        'A cycle makes module load order matter (ESM hands out uninitialised bindings) and fuses the modules into ' +
        'one unit that cannot be understood or tested apart.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment:
        'An import that does not resolve to a file or a package has no path, so the rules above cannot see where it ' +
        'goes: it must resolve (a typo, or a .js specifier whose .ts source is missing).',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
