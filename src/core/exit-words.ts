// How an exit reads in logs, notes and outcomes: "signal SIGKILL" or "code 3".
// An exit with neither code nor signal is a start that failed before any process ran.
export function exitWords(code: number | null, signal: string | null): string {
  if (code === null && signal === null) return 'a failed start';
  return signal ? `signal ${signal}` : `code ${code}`;
}
