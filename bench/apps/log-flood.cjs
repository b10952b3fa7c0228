// Writes LINES lines of 100 bytes (99 + newline) to stdout as fast as the pipe takes them,
// records when it started and finished writing in $FLOOD_TIMES (JSON), then idles so that no
// manager restarts it. The last line is "flood done".
'use strict';
const { writeFileSync } = require('node:fs');

const total = Number(process.env.LINES || 1_000_000);
const pad = 'x'.repeat(99 - 'flood 0000000 '.length);
const start = Date.now();
let i = 0;
function go() {
  while (i < total) {
    const line = `flood ${String(i++).padStart(7, '0')} ${pad}\n`;
    if (!process.stdout.write(line)) {
      process.stdout.once('drain', go);
      return;
    }
  }
  process.stdout.write('flood done\n', () => {
    if (process.env.FLOOD_TIMES) writeFileSync(process.env.FLOOD_TIMES, JSON.stringify({ start, end: Date.now(), lines: total }));
  });
}
go();
setInterval(() => {}, 60_000);
