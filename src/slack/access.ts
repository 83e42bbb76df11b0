/**
 * Bot tokens Slack has told this process are dead (`app_uninstalled`, `tokens_revoked`). The Slack notifier sends
 * nothing with such a token: each call fails at once as `token_revoked`, which the outbox holds (every row waits,
 * in order, until the app is reinstalled and SLACK_BOT_TOKEN set) instead of retrying into a dead token. Per
 * process: after a restart the first call with the old token gets Slack's own refusal, which holds the same way.
 */

/** Why a token is dead, and since when. */
export interface TokenRevocation {
  event: 'app_uninstalled' | 'tokens_revoked';
  at: number;
}

const revoked = new Map<string, TokenRevocation>();

/** Records that Slack revoked `token`. */
export function markTokenRevoked(token: string, revocation: TokenRevocation): void {
  if (!revoked.has(token)) revoked.set(token, revocation);
}

/** The revocation of `token`, or null while it is usable. */
export function tokenRevocation(token: string): TokenRevocation | null {
  return revoked.get(token) ?? null;
}

/** Forgets a revocation (the app was reinstalled with the same token); for tests and a reinstall. */
export function clearTokenRevocation(token: string): void {
  revoked.delete(token);
}
