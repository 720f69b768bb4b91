#!/usr/bin/env node
// The `sa-admin` bin entry: loads the TypeScript CLI through tsx (a dependency of this project),
// so `npx sa-admin …` works in a checkout without a build step.
import { register } from 'tsx/esm/api';

register();
await import('./sa-admin.ts');
