import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend.ts';
import type { QualityService } from '../../src/quality/service.ts';
import { seededBackend, SEEDED_AT } from '../helpers/slack/seeded-backend.ts';
import { startSlackAppHarness } from '../helpers/slack/slack-app-harness.ts';

/** The backend with its quality service replaced by `quality(original)`. */
function withQuality(backend: Backend, quality: (original: QualityService) => QualityService): Backend {
  return { ...backend, quality: quality(backend.quality), monitorPorts: backend.monitorPorts };
}

describe('acknowledging and failing', () => {
  it('acks /ontology integrity with a working note before the check finishes; the answer replaces the note', async () => {
    const { backend } = await seededBackend();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let checkStarted!: () => void;
    const started = new Promise<void>((resolve) => (checkStarted = resolve));
    const slow = withQuality(backend, (original) => ({
      ...original,
      check: async (options) => {
        checkStarted();
        await gate;
        return original.check(options);
      },
    }));
    const harness = await startSlackAppHarness({ backend: slow, now: () => SEEDED_AT });
    const ack = await harness.command('integrity');
    expect(ack.status).toBe(200);
    // The first response is the working note, in the ack itself.
    expect(JSON.parse(ack.body)).toEqual({ response_type: 'ephemeral', text: ':hourglass_flowing_sand: Working on it…' });
    await started;
    // The ack is in while the check is still held: nothing has been answered yet.
    expect(harness.slack.responses).toEqual([]);
    release();
    const answer = await harness.responseTo(ack.responseUrl);
    expect(JSON.stringify(answer.body)).toContain('Integrity platform-wide');
    expect(answer.body).toMatchObject({ response_type: 'ephemeral', replace_original: true });
  });

  it('a shared slow answer is posted in the channel and its working note deleted; a fast command acks silently', async () => {
    const { backend } = await seededBackend();
    const harness = await startSlackAppHarness({ backend, now: () => SEEDED_AT });
    const ack = await harness.command('metrics --share');
    expect(JSON.parse(ack.body)).toMatchObject({ text: ':hourglass_flowing_sand: Working on it…' });
    const shared = await harness.responseTo(ack.responseUrl);
    expect(shared.body).toMatchObject({ response_type: 'in_channel', replace_original: false });
    expect(JSON.stringify(shared.body)).toContain('Metrics');
    expect((await harness.responseTo(ack.responseUrl, 1)).body).toEqual({ delete_original: true });

    const status = await harness.command('status');
    expect(status.body).toBe('');
    expect((await harness.responseTo(status.responseUrl)).body).toMatchObject({ replace_original: false });
  });

  it('an unexpected failure reaches the user as one line without a stack trace; the stack goes to the log', async () => {
    const { backend } = await seededBackend();
    const failing = withQuality(backend, (original) => ({
      ...original,
      metrics: async () => {
        throw new Error('disk went away');
      },
    }));
    const harness = await startSlackAppHarness({ backend: failing, now: () => SEEDED_AT });
    const ack = await harness.command('metrics');
    expect(ack.body).toContain('Working on it');
    const answer = await harness.responseTo(ack.responseUrl);
    // The error replaces the working note like an answer would.
    expect(answer.body).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    const reference = /^:warning: Something went wrong on the bot's side \(reference ([0-9a-f]{8})\): try again; if it keeps failing, an operator finds the details in the bot's log\.$/.exec(String(answer.body.text))?.[1];
    expect(reference).toBeDefined();
    expect(JSON.stringify(answer.body)).not.toMatch(/\bat .*\.ts:\d+|disk went away/);
    expect(harness.logs.join('\n')).toMatch(new RegExp(`/ontology metrics failed \\[reference ${reference}\\]: Unexpected error: disk went away\\n.*Error: disk went away\\n\\s+at `, 's'));
  });
});
