#!/usr/bin/env node
// Launcher for the `ontology-ops` CLI: loads the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
