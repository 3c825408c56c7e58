#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// A small young generation keeps peak memory down. Set here, at run time, it reaches the isolates
// created from now on: the worker that runs the command line (src/host.ts says why) and the planning
// workers it starts. This main thread only relays to them.
setFlagsFromString('--max-semi-space-size=4');
await import('../dist/host.js');
