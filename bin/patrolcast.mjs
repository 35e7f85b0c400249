#!/usr/bin/env node
// Entry point for `npx patrolcast`: runs the TypeScript CLI through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { runFromProcess } = await import('../cli/bin.ts');
await runFromProcess();
