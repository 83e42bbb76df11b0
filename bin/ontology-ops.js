#!/usr/bin/env node
// Launcher for the `ontology-ops` CLI. It runs the compiled build (`dist/`, which `npm install` makes through the
// `prepare` script), so a command starts without transpiling TypeScript; in a checkout without a build it loads
// the TypeScript sources through tsx instead.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/src/cli.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
