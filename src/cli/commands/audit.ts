/** `ontology-ops audit <entityId>`: one entity with its events (newest first) and its connections. */
import type { Command } from 'commander';
import type { ConvexDocument } from '../../ontology/values.ts';
import { connectionEndpoints } from '../../ontology/naming.ts';
import type { AuditReport } from '../../quality/reports.ts';
import { DEFAULT_AUDIT_LIMIT } from '../../quality/service.ts';
import { isoInstant, textTable } from '../../quality/text.ts';
import { NUMBER_LIMITS, parseWholeNumber, type CliContext } from '../context.ts';

interface AuditCommandOptions {
  limit?: string;
}

function field(document: ConvexDocument, name: string): string {
  const value = document[name];
  if (value === undefined || value === null) return '-';
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'number') return name === 'timestamp' ? isoInstant(value) : String(value);
  return '(…)';
}

/** `(N…)` of a list heading; a full list may have been cut at the limit, and says so. */
function listCount(length: number, limit: number): string {
  return length >= limit ? `${length}, the limit: there may be more, raise --limit` : String(length);
}

/**
 * Text shown without `--json`: ids, types and times (the full documents are in the `--json` output). `limit`
 * is the list limit the report was made with.
 */
export function renderAuditReport(report: AuditReport, limit = DEFAULT_AUDIT_LIMIT): string {
  const { thing } = report;
  const lines = [
    `Entity ${report.thingId} (type ${field(thing, 'type')}, group ${report.groupId ?? 'none'}, schemaVersion ${field(thing, 'schemaVersion')}, status ${field(thing, 'status')})`,
    `Events (${listCount(report.events.length, limit)}; newest first):`,
  ];
  if (report.events.length > 0) {
    lines.push(
      textTable(
        ['Time', 'Type', 'Event', 'Actor', 'Target'],
        report.events.map((event) => [field(event, 'timestamp'), field(event, 'type'), event._id, field(event, 'actorId'), field(event, 'targetId')]),
      ),
    );
  }
  for (const [label, list] of [
    ['Outgoing connections', report.connections.outgoing],
    ['Incoming connections', report.connections.incoming],
  ] as const) {
    lines.push(`${label} (${listCount(list.length, limit)}):`);
    if (list.length === 0) continue;
    lines.push(
      textTable(
        ['Connection', 'Relationship', 'From', 'To'],
        list.map((connection) => {
          const { fromId, toId } = connectionEndpoints(connection);
          return [connection._id, field(connection, 'relationshipType'), fromId ?? '-', toId ?? '-'];
        }),
      ),
    );
  }
  return lines.join('\n');
}

/** Registers `audit`. */
export function register(program: Command, context: CliContext): void {
  program
    .command('audit')
    .description('Show one entity with its events (newest first) and its outgoing and incoming connections.')
    .argument('<entityId>', 'the `_id` of the entity')
    .option('--limit <n>', `events and connections (each way) to list (default ${DEFAULT_AUDIT_LIMIT})`)
    .action(async (entityId: string, options: AuditCommandOptions) => {
      const limit = options.limit === undefined ? undefined : parseWholeNumber(options.limit, '--limit', 1, NUMBER_LIMITS.listLimit);
      const backend = context.openBackend({ mustExist: true, readOnly: true });
      try {
        const report = await backend.quality.audit(entityId, { limit });
        context.print(report, (result) => renderAuditReport(result, limit));
      } finally {
        await backend.close();
      }
    });
}
