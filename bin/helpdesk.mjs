#!/usr/bin/env node
// Entry point of the `helpdesk` executable: runs the TypeScript sources through tsx so a
// checkout needs no build step (tsx is a runtime dependency for exactly this reason).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
