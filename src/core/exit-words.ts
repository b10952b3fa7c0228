// How an exit reads in logs, notes and outcomes: "signal SIGKILL" or "code 3".
export function exitWords(code: number | null, signal: string | null): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}
