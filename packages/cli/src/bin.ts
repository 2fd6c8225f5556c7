#!/usr/bin/env node
import { runCli } from './run-cli.js';

// The reader of a pipe left (`rapport export opportunities | head`): it has what it wanted, so
// stop quietly, as Unix tools do, instead of crashing on the unhandled write error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

runCli(process.argv).then((code) => {
  process.exitCode = code;
});
