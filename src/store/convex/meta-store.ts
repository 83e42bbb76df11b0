/** The `MetaStore` port over a Convex deployment (`convex/meta.ts`). */
import type { MetaStore } from '../port.ts';
import type { ConvexCaller } from './client.ts';

/** Store settings in a Convex deployment (constructed by the composition root). */
export class ConvexMetaStore implements MetaStore {
  constructor(private readonly caller: ConvexCaller) {}

  getMeta(key: string): Promise<string | null> {
    return this.caller.query<string | null>('meta:get', { key });
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.caller.mutation('meta:set', { key, value });
  }
}
