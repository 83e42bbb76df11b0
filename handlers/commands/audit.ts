/** `/ontology audit <entityId>`: one entity with its newest events and its connections, by id. */
import { auditMessage, MAX_AUDIT_LINES } from '../../src/slack/blocks/answers.ts';
import { parseArgs } from '../../src/slack/command-args.ts';
import { groupRefs } from '../../src/slack/group-names.ts';
import { knownSteps } from '../../src/slack/next-steps.ts';
import { defineSubcommand } from '../../src/slack/subcommand.ts';

/** `audit`. */
export const audit = defineSubcommand({
  name: 'audit',
  usage: 'audit <entityId>',
  summary: 'one entity: its group, schema version, newest events and connections (ids only)',
  shareable: true,
  slow: () => true,
  parse: (tokens) => ({ entityId: parseArgs(tokens, { positionals: [{ name: 'entityId', required: true }], flags: {} }, 'audit').positionals.entityId! }),
  run: async ({ entityId }, context) => {
    const { backend } = context.deps;
    // One more than shown, so the answer knows whether there are more.
    const report = await backend.quality.audit(entityId, { limit: MAX_AUDIT_LINES + 1 });
    const group = report.groupId === null ? null : ((await groupRefs(backend.documents, [report.groupId])).get(report.groupId) ?? null);
    const nextSteps = knownSteps(context, group ? [{ label: 'Integrity of its group', command: `integrity ${group.slug ?? group.id}` }] : [{ label: 'Integrity check', command: 'integrity' }]);
    await context.reply(auditMessage({ report, group, nextSteps }));
  },
});
