#!/usr/bin/env node
// Re-renders a report from its JSON: node bench/render.js [bench/RESULTS.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from './lib/report.js';

const src = process.argv[2] ?? join(import.meta.dirname, 'RESULTS.json');
const data = JSON.parse(readFileSync(src, 'utf8'));
const ctx = { rows: data.rows, notes: data.notes, extra: data.extra };
writeFileSync(src.replace(/\.json$/, '.md'), render(data.meta, ctx, data.failures));
console.log(`wrote ${src.replace(/\.json$/, '.md')}`);
