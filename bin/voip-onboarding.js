#!/usr/bin/env node
// The `voip-onboarding` command: runs the TypeScript CLI through tsx, as `npm start` runs the service, so a
// checkout needs no build step (`npx voip-onboarding …`) and a global install works the same way.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
