import { describe, expect, it } from 'vitest';
import { ErrorCode, OpsError } from '../../src/errors.ts';
import { errorMessage, handlerError, shownErrorText, withoutServerPaths } from '../../src/slack/handler-error.ts';
import { seededBackend, SEEDED_AT } from '../helpers/slack/seeded-backend.ts';
import { startSlackAppHarness } from '../helpers/slack/slack-app-harness.ts';

describe('errors as a Slack user sees them', () => {
  it.each([
    ['a store file', 'No entity with id "x" in /tmp/ontology-ops-abc/ontology.db: check the id.', 'No entity with id "x" in ontology.db: check the id.'],
    ['a backup folder', 'Backup /var/backups/ontology/2026-12-08/backup.zip is not readable', 'Backup backup.zip is not readable'],
    ['a quoted path', 'cannot open "/srv/data/ops.db"', 'cannot open "ops.db"'],
    ['a Windows path', 'cannot write C:\\backups\\ops\\run.zip now', 'cannot write run.zip now'],
    ['a folder ending in a slash', 'folder /var/backups/ is full', 'folder backups is full'],
  ])('cuts %s to its last part', (_reason, text, shown) => {
    expect(withoutServerPaths(text)).toBe(shown);
  });

  it.each([
    ['a slash command in code', 'run `/ontology status` again'],
    ['a fraction', 'approvals 1/2'],
    ['a URL', 'see https://example.convex.cloud/api/x'],
  ])('leaves %s alone', (_reason, text) => {
    expect(withoutServerPaths(text)).toBe(text);
  });

  it('shows an SDK error as a line with a reference, never its text; the log has the detail under the same reference', () => {
    const logs: string[] = [];
    const message = handlerError(new Error('An API error occurred: invalid_blocks'), { log: (line) => logs.push(line) }, 'Posting');
    const reference = /\(reference ([0-9a-f]{8})\)/.exec(message.text)?.[1];
    expect(reference).toBeDefined();
    expect(JSON.stringify(message)).not.toContain('An API error occurred');
    expect(logs[0]).toContain(`Posting failed [reference ${reference}]: Unexpected error: An API error occurred: invalid_blocks`);
  });

  it('shows a coded error on one line, escaped, without its server path', () => {
    const message = errorMessage(new OpsError(ErrorCode.BackupInvalid, 'The backup /var/backups/x/b.zip has <no> manifest:\n  take a new one.'));
    expect(message.text).toBe(':warning: The backup b.zip has &lt;no&gt; manifest: take a new one.');
  });

  it('shows a failed run\'s stored error without the raw text of an unexpected one', () => {
    expect(shownErrorText('Unexpected error: An API error occurred: ECONNRESET at /srv/app/node_modules/x.js')).toBe("an unexpected error (the bot's log has the details)");
    expect(shownErrorText('Last error: Unexpected error: An API error occurred: ratelimited (the full error is in the run record)')).toBe(
      "Last error: an unexpected error (the bot's log has the details) (the full error is in the run record)",
    );
    expect(shownErrorText('Lock held by run r1 in /tmp/a/ops.db')).toBe('Lock held by run r1 in ops.db');
  });

  it('an audit of an entity that does not exist answers without the store path; the log keeps it', async () => {
    const { backend, store } = await seededBackend();
    const harness = await startSlackAppHarness({ backend, now: () => SEEDED_AT });
    const ack = await harness.command('audit j975m000000000000000000000zzzzzz');
    const answer = JSON.stringify((await harness.responseTo(ack.responseUrl)).body);
    expect(answer).toContain('No entity with id');
    expect(answer).not.toMatch(/\/tmp\/|ontology-ops-/);
    expect(store.location).toMatch(/^\//);
    expect(harness.logs.join('\n')).toContain(`in ${store.location}`);
  });
});
