#!/usr/bin/env node
// The built CLI lives in dist/ (npm ci runs the build through `prepare`).
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('emperor: not built yet: run `npm ci` (or `npm run build`) in the repository first\n');
    process.exit(2);
  }
  throw err;
});
