/**
 * `manifest.yml` against the code: the bot scopes are exactly those the Web API methods the code calls need
 * (plus `commands` for the slash command), and the usage hint names every subcommand the router knows.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { SUBCOMMANDS } from '../handlers/commands/index.ts';

const ROOT = resolve(import.meta.dirname, '..');
/** Production code that may call Slack. */
const CODE_FOLDERS = ['src', 'handlers', 'monitors'];

/**
 * The bot scope each Web API method needs (null: none), from its page on api.slack.com. A method the code calls
 * that is missing here fails the test: add it with its scope.
 */
const METHOD_SCOPES: Record<string, string | null> = {
  'auth.test': null,
  'chat.postMessage': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'chat.update': 'chat:write',
  'chat.delete': 'chat:write',
  'views.publish': null,
  'views.open': null,
  'views.update': null,
  'usergroups.list': 'usergroups:read',
  'usergroups.users.list': 'usergroups:read',
  'users.info': 'users:read',
  'files.getUploadURLExternal': 'files:write',
  'files.completeUploadExternal': 'files:write',
  filesUploadV2: 'files:write',
  'conversations.info': 'channels:read',
  'reactions.add': 'reactions:write',
};

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder)).flatMap((entry) => {
    const path = join(folder, entry);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts)$/.test(entry) ? [path] : [];
  });
}

/** Web API methods called in `source`: `client.chat.postMessage(`, `apiCall('x.y'`, `filesUploadV2(`. */
function calledMethods(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  const methods = [...code.matchAll(/\b(?:client|web|slack)\.((?:auth|chat|views|usergroups|users|files|conversations|reactions)(?:\.[a-zA-Z]+)+)\s*\(/g)].map((match) => match[1]!);
  methods.push(...[...code.matchAll(/\.apiCall\(\s*['"]([a-zA-Z.]+)['"]/g)].map((match) => match[1]!));
  if (/\.filesUploadV2\s*\(/.test(code)) methods.push('filesUploadV2');
  return methods;
}

/** The `oauth_config.scopes.bot` list, the `/ontology` usage hint and the bot events of the manifest. */
function readManifest(): { botScopes: string[]; usageHint: string; events: string[] } {
  const manifest = parseYaml(readFileSync(join(ROOT, 'manifest.yml'), 'utf8')) as {
    oauth_config?: { scopes?: { bot?: string[] } };
    features?: { slash_commands?: { command: string; usage_hint?: string }[] };
    settings?: { event_subscriptions?: { bot_events?: string[] } };
  };
  const ontology = manifest.features?.slash_commands?.find((command) => command.command === '/ontology');
  return {
    botScopes: manifest.oauth_config?.scopes?.bot ?? [],
    usageHint: ontology?.usage_hint ?? '',
    events: manifest.settings?.event_subscriptions?.bot_events ?? [],
  };
}

describe('manifest.yml', () => {
  const calls = CODE_FOLDERS.flatMap(sourceFiles).flatMap((file) => calledMethods(readFileSync(join(ROOT, file), 'utf8')).map((method) => ({ file, method })));
  const usesSlashCommand = CODE_FOLDERS.flatMap(sourceFiles).some((file) => /\bapp\.command\(/.test(readFileSync(join(ROOT, file), 'utf8')));

  it('finds the Web API calls the code makes (the scan itself works)', () => {
    expect(calls.map((call) => call.method)).toEqual(expect.arrayContaining(['chat.postMessage', 'chat.update', 'chat.postEphemeral']));
    expect(usesSlashCommand).toBe(true);
  });

  it('knows the scope of every Web API method the code calls', () => {
    const unknown = calls.filter((call) => !(call.method in METHOD_SCOPES));
    expect(unknown, 'add these methods with their scope to METHOD_SCOPES').toEqual([]);
  });

  it('asks for exactly the bot scopes the code needs, and no more', () => {
    const needed = new Set(calls.map((call) => METHOD_SCOPES[call.method]).filter((scope): scope is string => typeof scope === 'string'));
    if (usesSlashCommand) needed.add('commands');
    expect([...readManifest().botScopes].sort()).toEqual([...needed].sort());
  });

  it('names every /ontology subcommand in the usage hint, and fits Slack', () => {
    const { usageHint } = readManifest();
    const hinted = usageHint.split('|').map((part) => part.trim().split(/\s+/)[0]);
    for (const subcommand of SUBCOMMANDS) expect(hinted, `usage hint lists ${subcommand.name}`).toContain(subcommand.name);
    expect(usageHint.length).toBeLessThanOrEqual(1000);
  });

  it('has the Home tab and its event', () => {
    const text = readFileSync(join(ROOT, 'manifest.yml'), 'utf8');
    expect(text).toMatch(/home_tab_enabled: true/);
    expect(readManifest().events).toContain('app_home_opened');
  });

  it('subscribes to the events that say the bot token is dead, so the outbox holds instead of retrying', () => {
    expect(readManifest().events).toEqual(expect.arrayContaining(['app_uninstalled', 'tokens_revoked']));
  });
});
