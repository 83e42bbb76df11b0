import { describe, expect, it } from 'vitest';
import type { QualitySnapshot } from '../../../monitors/ports.ts';
import type { Backend } from '../../../src/backend.ts';
import { formatMetric } from '../../../src/quality/severity.ts';
import { allDocuments, seededBackend, SEEDED_AT } from '../../helpers/slack/seeded-backend.ts';
import { startSlackAppHarness, type SlackAppHarness } from '../../helpers/slack/slack-app-harness.ts';

const DAY = 86_400_000;

/**
 * The distinctive strings entities hold in their names and properties (what must never reach Slack): at least 8
 * characters with a space or a digit, so a one-word tag that is also an event type does not count.
 */
async function propertyValues(backend: Backend): Promise<string[]> {
  const values = new Set<string>();
  const collect = (value: unknown): void => {
    if (typeof value === 'string' && value.length >= 8 && /[\s\d]/.test(value)) values.add(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  for (const entity of await allDocuments(backend, 'entities')) {
    collect(entity.name);
    collect(entity.properties);
  }
  return [...values];
}

async function ask(harness: SlackAppHarness, text: string) {
  const ack = await harness.command(text);
  expect(ack.status).toBe(200);
  const answer = await harness.responseTo(ack.responseUrl);
  return { ack, answer: answer.body, json: JSON.stringify(answer.body) };
}

async function setUp() {
  const { backend } = await seededBackend();
  const harness = await startSlackAppHarness({ backend, now: () => SEEDED_AT });
  const groups = await allDocuments(backend, 'groups');
  return { backend, harness, group: groups[0]! as unknown as { _id: string; slug: string } };
}

describe('/ontology read commands over signed HTTP', () => {
  it('integrity: ephemeral, critical header, counts against 0, top issues by id, Metrics and Share buttons, no property values', async () => {
    const { backend, harness } = await setUp();
    const report = await backend.quality.check({ now: SEEDED_AT, limit: 10 });
    const { answer, json } = await ask(harness, 'integrity');
    expect(answer.response_type).toBe('ephemeral');
    const blocks = answer.blocks as { type: string; text?: { text: string } }[];
    expect(blocks[0]!.text!.text).toBe(`:red_circle: Integrity platform-wide: ${report.status}, ${report.summary.totalIssues.toLocaleString('en-US')} issues`);
    // Each category with its status and rule from the severity table (the same words as `metrics` and the alerts).
    expect(json).toContain('*Orphaned connections*\\n:red_circle: 1 (critical when > 0)');
    expect(json).toContain('*Invalid metadata*\\n:large_yellow_circle: 2 (warning when > 0)');
    for (const issue of report.issues) expect(json).toContain(`\`${issue.recordId}\``);
    expect(json).toContain('"action_id":"ontology_run_subcommand_1"');
    expect(json).toContain('"value":"metrics"');
    expect(json).toContain('"action_id":"ontology_share_in_channel","value":"integrity"');
    const secrets = await propertyValues(backend);
    expect(secrets.length).toBeGreaterThan(100);
    for (const value of secrets) expect(json).not.toContain(value);
  });

  it('integrity <slug> --limit 3 --share: in the channel, the group named slug first, id after, at most 3 issues', async () => {
    const { harness, group } = await setUp();
    const { answer, json } = await ask(harness, `integrity ${group.slug} --limit 3 --share`);
    expect(answer.response_type).toBe('in_channel');
    expect((answer.blocks as { text?: { text: string } }[])[0]!.text!.text).toContain(`Integrity ${group.slug} (${group._id})`);
    expect(json).not.toContain('ontology_share_in_channel');
    const issueLines = (json.match(/ in (entities|connections|events|knowledge):/g) ?? []).length;
    expect(issueLines).toBeLessThanOrEqual(3);
  });

  it('integrity <group>: adds one line with the group\'s metrics status when it differs from the integrity status', async () => {
    const { backend, store } = await seededBackend();
    const harness = await startSlackAppHarness({ backend, now: () => SEEDED_AT });
    // A group whose records break no integrity rule, all still in the pre-v1 shape (schema compliance 0 %).
    const quiet = await store.insert('groups', { slug: 'quiet-co', name: 'Quiet Co', type: 'organization' });
    for (let index = 0; index < 3; index++) await store.insert('entities', { groupId: quiet._id, type: 'agent', name: `agent ${index}` });
    const metrics = await backend.quality.metrics({ now: SEEDED_AT, groupId: String(quiet._id) });
    expect(metrics.statusByMetric.schemaComplianceScore).toBe('critical');
    const { json } = await ask(harness, 'integrity quiet-co');
    expect(json).toContain('Integrity quiet-co');
    expect(json).toContain(': healthy, 0 issues');
    expect(json).toContain(':red_circle: Metrics of this scope: critical (Schema compliance score 0.00%)');
    // A scope whose metrics agree with its integrity status gets no such line.
    expect((await ask(harness, 'integrity')).json).not.toContain('Metrics of this scope');
  });

  it('metrics <group id>: the seven metrics against their thresholds', async () => {
    const { backend, harness, group } = await setUp();
    const report = await backend.quality.metrics({ now: SEEDED_AT, groupId: group._id });
    const { json } = await ask(harness, `metrics ${group._id}`);
    expect(json).toContain(`Metrics ${group.slug} (${group._id}): ${report.status}`);
    expect(json).toContain('Referential integrity score');
    expect(json).toContain('critical when < 95%, healthy ≥ 99%');
    expect(json).toContain(formatMetric('referentialIntegrityScore', report.referentialIntegrityScore));
    expect(json).toContain(`*Invalid metadata*\\n${report.invalidMetadataCount > 0 ? ':large_yellow_circle:' : ':large_green_circle:'} ${report.invalidMetadataCount} (warning when > 0)`);
    expect(json).toContain('"value":"integrity ' + group.slug + '"');
  });

  it('audit <entityId>: the entity by id with its events and connections, never its name or properties', async () => {
    const { backend, harness } = await setUp();
    const entity = (await allDocuments(backend, 'entities')).find((candidate) => typeof candidate.groupId === 'string')!;
    const { json } = await ask(harness, `audit ${entity._id}`);
    expect(json).toContain(`:mag: Entity ${entity._id}`);
    expect(json).toContain('Events, newest first');
    expect(json).toContain('Outgoing connections');
    expect(json).not.toContain(JSON.stringify(entity.name).slice(1, -1));
    for (const value of await propertyValues(backend)) expect(json).not.toContain(value);
  });

  it('versions: v0 and v1 entity counts and shares', async () => {
    const { backend, harness } = await setUp();
    const report = await backend.quality.versions({ now: SEEDED_AT });
    const { json } = await ask(harness, 'versions');
    expect(json).toContain(`${report.v0Entities.toLocaleString('en-US')} (${report.distributionPercentage.v0.toFixed(2)}%)`);
    expect(json).toContain(`${report.v1Entities.toLocaleString('en-US')} (${report.distributionPercentage.v1.toFixed(2)}%)`);
    // The header's icon is the schema compliance score's status (healthy at 97%), not "info" for any v0 entity.
    expect(json).toContain(':large_green_circle: Schema versions platform-wide');
    expect(json).toContain('*Schema compliance score*\\n:large_green_circle: 97.00% (critical when < 90%, healthy ≥ 95%)');
  });

  it('trend 3 <group>: first → last and a sparkline from the group\'s snapshots of the window only', async () => {
    const { backend, harness, group } = await setUp();
    const snapshot = (days: number, score: number, groupId?: string): Omit<QualitySnapshot, '_id' | '_creationTime'> => ({
      timestamp: SEEDED_AT - days * DAY,
      ...(groupId ? { groupId } : {}),
      referentialIntegrityScore: score,
      orphanedConnections: 0,
      crossGroupViolations: 0,
      malformedProperties: 0,
      metadata: { orphanedEntityCount: 0, missingGroupIds: 0, malformedPropertiesPercent: 0, schemaComplianceScore: 99, eventArchivalProgress: 95, invalidMetadataCount: 0, status: 'healthy' },
    });
    await backend.monitorPorts.stores.snapshots.saveSnapshots(
      [snapshot(5, 10, group._id), snapshot(2, 99.5, group._id), snapshot(1, 97.25, group._id), snapshot(1, 42)],
      SEEDED_AT,
    );
    const { json } = await ask(harness, `trend 3 ${group.slug}`);
    expect(json).toContain(`Trend ${group.slug} (${group._id}), 3 days: 1 metric declined`);
    expect(json).toContain('99.50% → 97.25%');
    expect(json).toContain('2 snapshots');
    expect(json).not.toContain('42.00%');
  });

  it('trend without snapshots says where they come from', async () => {
    const { harness } = await setUp();
    const { json } = await ask(harness, 'trend');
    expect(json).toContain('No snapshots platform-wide in the last 7 days');
    expect(json).toContain('The daily monitor writes one snapshot per day');
    expect(json).not.toContain('ontology-ops');
  });

  it.each([
    ['frobnicate', 'Unknown subcommand \\"frobnicate\\".', 'a subcommand that does not exist'],
    ['integrity --limit 0', '--limit must be a whole number from 1 to 10,000, got \\"0\\".', 'a limit of nothing'],
    ['integrity --limit', 'Option --limit of `integrity` needs a value.', 'a flag without its value'],
    ['integrity a b', 'Too many arguments for `integrity`: \\"b\\" is more than it takes.', 'one group at most'],
    ['metrics --deep', 'Unknown option --deep for `metrics`: it takes no options.', 'an option nobody knows'],
    ['audit', '`audit` needs &lt;entityId&gt;.', 'audit of nothing'],
    ['trend 500', '[days] must be a whole number from 1 to 90, got \\"500\\".', 'beyond the window'],
  ])('/ontology %s → the ack itself is an ephemeral usage naming what was wrong, and nothing runs', async (text, problem, _reason) => {
    const { harness } = await setUp();
    const ack = await harness.command(text);
    expect(ack.status).toBe(200);
    const body = JSON.parse(ack.body) as { response_type: string; blocks: { text?: { text: string } }[] };
    expect(body.response_type).toBe('ephemeral');
    expect(JSON.stringify(body)).toContain(problem);
    expect(JSON.stringify(body)).toContain('/ontology integrity [group] [--limit N]');
    expect(harness.slack.responses).toEqual([]);
  });

  it.each([
    ['metrics no-such-group', ':warning: No group with slug or id \\"no-such-group\\": pass the slug or `_id` of a group in the groups table.'],
    ['audit no-such-entity', ':warning: No entity with id \\"no-such-entity\\"'],
  ])('/ontology %s → one ephemeral line saying what to pass', async (text, message) => {
    const { harness } = await setUp();
    const { answer, json } = await ask(harness, text);
    expect(answer.response_type).toBe('ephemeral');
    expect(json).toContain(message);
  });
});
