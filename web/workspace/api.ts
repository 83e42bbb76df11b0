/** The page's calls to its server (`/workspace/api/…`): the user's snapshot, actions, and the live stream. */
import type { DeliveryOutcome, WorkspaceSnapshot } from '../../src/workspace/snapshot.ts';

const BASE = '/workspace/api/';

/** Where a click happened (mirrors the server's `ActionSurface`). */
export type Surface = { kind: 'message'; channelId: string; messageTs: string } | { kind: 'home' } | { kind: 'modal' };

async function post(endpoint: string, body: unknown): Promise<DeliveryOutcome> {
  const response = await fetch(BASE + endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await response.json().catch(() => ({}))) as DeliveryOutcome & { error?: string };
  if (!response.ok) return { ok: false, error: json.error ?? `HTTP ${response.status}` };
  return json;
}

/** What `user` sees now. */
export async function fetchSnapshot(user: string): Promise<WorkspaceSnapshot> {
  const response = await fetch(`${BASE}state?user=${encodeURIComponent(user)}`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`The workspace answered HTTP ${response.status}.`);
  return (await response.json()) as WorkspaceSnapshot;
}

/** Sends what was typed in a channel's composer. */
export function sendText(user: string, channel: string, text: string): Promise<DeliveryOutcome> {
  return post('command', { user, channel, text });
}

/** Clicks an element (or chooses `selectedValue` in a menu). */
export function sendAction(user: string, surface: Surface, blockId: string, actionId: string, selectedValue?: string): Promise<DeliveryOutcome> {
  return post('action', { user, surface, blockId, actionId, ...(selectedValue !== undefined ? { selectedValue } : {}) });
}

/** Submits the open modal. */
export function submitView(user: string, viewId: string, values: Record<string, Record<string, string | null>>): Promise<DeliveryOutcome> {
  return post('view-submission', { user, viewId, values });
}

/** Closes the open modal. */
export function closeView(user: string): Promise<DeliveryOutcome> {
  return post('view-close', { user });
}

/** Tells the bot the user opened its Home tab. */
export function openHome(user: string): Promise<DeliveryOutcome> {
  return post('home-opened', { user });
}

/** Calls `onChange` whenever anything in the workspace changed; returns the stop. */
export function subscribe(onChange: () => void): () => void {
  const source = new EventSource(`${BASE}stream`);
  source.onmessage = () => onChange();
  return () => source.close();
}
