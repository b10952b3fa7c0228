// Entry point of the `emperor` binary (bin/emperor.js imports the built copy of this file).
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv);
