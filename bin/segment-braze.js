#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// A small young generation on the main thread keeps peak memory flat on large archives (the planning
// workers, which allocate the most, have their own limits); set before the program allocates much.
setFlagsFromString('--max-semi-space-size=4');
await import('../dist/cli.js');
