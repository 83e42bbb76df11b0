import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFakeSlackApi } from './helpers/slack/fake-slack-api.ts';
import { MALFORMED_SLACK_BODIES, postSigned, slashCommandBody } from './helpers/slack/signed-request.ts';
import { tempDir } from './helpers/temp-store.ts';

const ROOT = join(import.meta.dirname, '..');
const SECRET = 'f00dfeed0123456789abcdef01234567';

describe('npm start with the Slack app credentials', () => {
  it('runs the app and the monitors in one process, refuses malformed bodies, answers a signed /ontology, and stops cleanly on SIGTERM', async () => {
    const slack = await startFakeSlackApi();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ONTOLOGY_DB: join(tempDir(), 'ontology.db'),
      MONITOR_INSTANCE_ID: 'main-slack-test',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SECRET,
      ALERT_CHANNEL_CRITICAL: 'C0ALERTS',
      SLACK_API_URL: slack.url,
      PORT: '0',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const port = await new Promise<number>((resolve, reject) => {
      const collect = (chunk: Buffer) => {
        out += chunk.toString();
        const match = /Slack app listening on port (\d+)/.exec(out);
        if (match && out.includes('Monitors running')) resolve(Number(match[1]));
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      void exited.then(() => reject(new Error(`exited before listening:\n${out}`)));
    });

    // Bodies Slack never sends, signed: each is answered 400 and the process goes on serving.
    for (const [what, malformed, contentType] of MALFORMED_SLACK_BODIES) {
      const refused = await postSigned(`http://127.0.0.1:${port}/slack/events`, malformed, { secret: SECRET, contentType });
      expect({ what, status: refused.status }).toEqual({ what, status: 400 });
    }
    const responseUrl = slack.responseUrl();
    const body = slashCommandBody({ text: 'versions', userId: 'U0ALICE', channelId: 'C0OPS', responseUrl });
    const ack = await postSigned(`http://127.0.0.1:${port}/slack/events`, body, { secret: SECRET });
    expect(ack.status).toBe(200);
    const answer = await slack.waitFor(() => slack.responses.find((response) => response.url === responseUrl));
    expect(JSON.stringify(answer.body)).toContain('Schema versions platform-wide');

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('Stopped.');
    expect(out.match(/slack: refused a request to \/slack\/events \(400\)/g)).toHaveLength(MALFORMED_SLACK_BODIES.length);
    expect(out).not.toMatch(/Unhandled rejection|Uncaught exception|\n\s+at /);
  });
});
