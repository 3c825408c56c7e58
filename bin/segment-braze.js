#!/usr/bin/env node
// The command line runs in a worker thread with a bounded young generation; src/host.ts says why.
await import('../dist/host.js');
