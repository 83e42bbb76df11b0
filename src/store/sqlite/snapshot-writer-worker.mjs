// Entry of the snapshot writer thread. Plain JavaScript so Node can start it directly under tsx, vitest and the
// bin alike; it registers the TypeScript loader in this thread, then runs the TypeScript worker body.
import { register } from 'tsx/esm/api';

register();
await import('./snapshot-writer-worker-main.ts');
