import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { parseArgs, tokenize } from '../../src/slack/command-args.ts';
import { ResponseUrlBudget, type SlackMessage } from '../../src/slack/reply.ts';
import { createRouter, defineSubcommand } from '../../src/slack/subcommand.ts';
import { startFakeSlackApi } from '../helpers/slack/fake-slack-api.ts';

describe('tokenize', () => {
  it.each([
    ['integrity  acme-eu --limit 5', ['integrity', 'acme-eu', '--limit', '5'], 'runs of spaces'],
    ['silence "orphans in acme" 4h', ['silence', 'orphans in acme', '4h'], 'double quotes keep spaces'],
    ['silence “curly quotes” 1h', ['silence', 'curly quotes', '1h'], 'Slack turns quotes curly on some clients'],
    ['audit ""', ['audit', ''], 'an empty quoted argument is still an argument'],
    ['   ', [], 'nothing'],
  ])('%j → %j (%s)', (text, tokens, _reason) => {
    expect(tokenize(text)).toEqual(tokens);
  });
});

describe('parseArgs', () => {
  const spec = { positionals: [{ name: 'group' }], flags: { limit: { value: true }, verify: { value: false } } };
  it('reads --flag value, --flag=value and boolean flags anywhere', () => {
    expect(parseArgs(['--limit=3', 'acme', '--verify'], spec, 'x')).toEqual({ positionals: { group: 'acme' }, flags: { limit: '3', verify: true } });
  });
  it.each([
    [['--limit', '1', '--limit', '2'], 'Option --limit of `x` is given twice: give it once.'],
    [['--verify=yes'], 'Option --verify of `x` takes no value, got "yes".'],
    [['--limit', '--verify'], 'Option --limit of `x` needs a value.'],
  ])('%j → %s', (tokens, message) => {
    expect(() => parseArgs(tokens, spec, 'x')).toThrow(message);
  });
});

describe('the router', () => {
  async function setUp() {
    const slack = await startFakeSlackApi();
    const config = loadConfig({ SLACK_API_URL: slack.url });
    const logs: string[] = [];
    const deps = { config, now: Date.now, log: (line: string) => logs.push(line), responseUrls: new ResponseUrlBudget(Date.now) } as unknown as HandlerDeps;
    const client = new WebClient('xoxb-test', { slackApiUrl: slack.url });
    let ran = 0;
    const act = defineSubcommand({
      name: 'act',
      usage: 'act',
      summary: 'changes something',
      shareable: false,
      parse: () => ({}),
      run: async (_args, context) => {
        ran++;
        await context.reply({ text: 'done' });
      },
    });
    const broken = defineSubcommand({
      name: 'broken',
      usage: 'broken',
      summary: 'a parser with a bug',
      shareable: true,
      parse: () => {
        throw new TypeError('cannot read x of undefined');
      },
      run: async () => {},
    });
    const router = createRouter([act, broken]);
    const acks: (SlackMessage | undefined)[] = [];
    const invoke = (text: string, share = false) => {
      const responseUrl = slack.responseUrl();
      return router
        .dispatch({ text, target: { responseUrl, channelId: 'C1', userId: 'U1' }, client, share, ack: async (message) => void acks.push(message) }, deps)
        .then(() => responseUrl);
    };
    return { slack, router, invoke, acks, logs, ran: () => ran };
  }

  it('refuses --share, and the Share button, on a subcommand that is not read-only: nothing runs', async () => {
    const { invoke, acks, ran } = await setUp();
    await invoke('act --share');
    await invoke('act', true);
    expect(ran()).toBe(0);
    expect(acks.map((ack) => ack?.text)).toEqual([
      '`act` takes no --share: its answers already go where they belong. Usage: act, broken.',
      '`act` takes no --share: its answers already go where they belong. Usage: act, broken.',
    ]);
  });

  it('answers a parser bug in the ack with one line, logging the stack', async () => {
    const { invoke, acks, logs } = await setUp();
    await invoke('broken');
    expect(acks[0]).toMatchObject({ response_type: 'ephemeral' });
    expect(acks[0]!.text).toMatch(/^:warning: Something went wrong on the bot's side \(reference [0-9a-f]{8}\)/);
    expect(JSON.stringify(acks[0])).not.toContain('cannot read x');
    expect(logs.join('\n')).toContain('TypeError: cannot read x of undefined\n    at ');
  });

  it('answers a subcommand that changes something privately, without a Share button', async () => {
    const { slack, invoke } = await setUp();
    const responseUrl = await invoke('act');
    const answer = await slack.waitFor(() => slack.responses.find((response) => response.url === responseUrl));
    expect(answer.body).toEqual({ text: 'done', response_type: 'ephemeral', replace_original: false });
  });

  it('refuses two subcommands of one name', () => {
    const one = defineSubcommand({ name: 'x', usage: 'x', summary: 'x', shareable: true, parse: () => ({}), run: async () => {} });
    expect(() => createRouter([one, one])).toThrow('Two /ontology subcommands share a name.');
  });
});
