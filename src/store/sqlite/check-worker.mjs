// Entry of the check worker thread. Plain JavaScript so Node can start it directly under tsx, vitest and the
// bin alike; it registers the TypeScript loader in this thread, then runs the TypeScript worker body.
import { register } from 'tsx/esm/api';

register();
await import('./check-worker-main.ts');
