// What becomes of the supervisord program keys that have no exact counterpart: the words that
// go into the written file's header and the warning, one place for each key.

/** Keys with no equivalent, and why (or what to do instead). */
export const UNMAPPED_REASONS: Readonly<Record<string, string>> = {
  autostart: 'the emperor starts every vassal file in its directory',
  stdout_capture_maxbytes: 'no process communication events in the emperor',
  stdout_events_enabled: 'no process communication events in the emperor',
  stderr_capture_maxbytes: 'no process communication events in the emperor',
  stderr_events_enabled: 'no process communication events in the emperor',
  stdout_syslog: 'the emperor logs to stderr (journald under systemd) or to logto',
  stderr_syslog: 'the emperor logs to stderr (journald under systemd) or to logto',
  stderr_logfile: 'the emperor writes stdout and stderr of an instance to one place (logto)',
  stderr_logfile_maxbytes: 'the emperor writes stdout and stderr of an instance to one place (logto)',
  stderr_logfile_backups: 'the emperor writes stdout and stderr of an instance to one place (logto)',
  serverurl: 'instances reach the emperor through `emperor` commands on its control socket, not an XML-RPC URL',
};

/** Keys supervisord reads in a [program:x] section (anything else it ignores, and so does the import, aloud). */
export const PROGRAM_KEYS = new Set([
  'command', 'process_name', 'numprocs', 'numprocs_start', 'priority', 'autostart', 'startsecs', 'startretries',
  'autorestart', 'exitcodes', 'stopsignal', 'stopwaitsecs', 'stopasgroup', 'killasgroup', 'user', 'redirect_stderr',
  'stdout_logfile', 'stdout_logfile_maxbytes', 'stdout_logfile_backups', 'stdout_capture_maxbytes',
  'stdout_events_enabled', 'stdout_syslog', 'stderr_logfile', 'stderr_logfile_maxbytes', 'stderr_logfile_backups',
  'stderr_capture_maxbytes', 'stderr_events_enabled', 'stderr_syslog', 'environment', 'directory', 'umask', 'serverurl',
]);

/** Sections that are supervisord's own business: reported once, never turned into vassals. */
export const DAEMON_SECTIONS: Readonly<Record<string, string>> = {
  supervisord: "supervisord's own settings; the emperor's are its command-line options (emperor --help)",
  unix_http_server: "supervisord's control socket; the emperor has its own (--run-dir, --control-group)",
  inet_http_server: 'the emperor offers no TCP control port; its API is on a unix socket',
  supervisorctl: 'the `emperor` command finds its daemon through --run-dir',
  include: 'followed: the files it names were read',
};

/** Section kinds that describe processes the emperor cannot run as they are. */
export const UNSUPPORTED_KINDS: Readonly<Record<string, string>> = {
  'eventlistener': 'the emperor has no event listener protocol; run the listener as a program if it can work without it',
  'fcgi-program': 'the emperor can hold the socket (sockets:) and run the program, but it does not speak FastCGI process spawning; write that vassal by hand',
  'rpcinterface': 'no XML-RPC interface in the emperor',
  'ctlplugin': 'no supervisorctl plugins',
};
