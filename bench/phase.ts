/**
 * Runs ONE benchmark phase in this process and prints its measurement as one JSON line on stdout, so peak RSS
 * is the phase's own. Called by `bench/run.ts`: `tsx bench/phase.ts <phase> <dir> <nowMs> [runId]`.
 */
import { join } from 'node:path';
import { benchQuality, type QualityPhase } from './quality.ts';
import { benchMigrate, benchUndo } from './migration.ts';
import { benchExport, benchImport, benchSeed, BENCH_ENTITIES } from './snapshot.ts';
import { measure, type PhaseMeasurement } from './measure.ts';
import { runSqlBaseline } from './sql-baseline.ts';
import { benchSlackAck } from './slack-ack.ts';
import { benchWholeProcess } from './whole-process.ts';

/** Files every phase shares inside the bench folder. */
export function benchFiles(dir: string) {
  return {
    seeded: join(dir, 'seeded.db'),
    zip: join(dir, 'snapshot.zip'),
    imported: join(dir, 'imported.db'),
    legacy: join(dir, 'legacy.db'),
    backups: join(dir, 'backups'),
    /** A copy of the legacy store the ack phase migrates (removed after it), and that run's backups. */
    ackLegacy: join(dir, 'legacy-ack.db'),
    ackBackups: join(dir, 'backups-ack'),
  };
}

async function runPhase(phase: string, dir: string, now: number, runId: string | undefined): Promise<PhaseMeasurement> {
  const files = benchFiles(dir);
  switch (phase) {
    case 'seed':
      return measure(phase, async () => ({ records: (await benchSeed(files.seeded, { entities: BENCH_ENTITIES, now })).records }));
    case 'export':
      return measure(phase, async () => ({ records: (await benchExport(files.seeded, files.zip)).records }));
    case 'import':
      return measure(phase, async () => ({ records: (await benchImport(files.zip, files.imported)).records }));
    case 'check-critical':
    case 'check-full':
    case 'metrics-all-groups': {
      const [result] = await benchQuality({ dbPath: files.imported, now, phases: [phase as QualityPhase] });
      return { ...result!, name: phase };
    }
    case 'slack-ack-idle':
      return benchSlackAck({ dbPath: files.imported, load: 'idle', now });
    case 'slack-ack-check':
      return benchSlackAck({ dbPath: files.imported, load: 'check-full', now });
    case 'slack-ack-migrate':
      return benchSlackAck({ dbPath: files.legacy, load: 'migrate', now, workPath: files.ackLegacy, backupDir: files.ackBackups });
    case 'sql-baseline':
      return measure(phase, async () => {
        const counts = runSqlBaseline(files.imported);
        return { records: 1_000_000, details: { ...counts } };
      });
    case 'whole-process':
      return benchWholeProcess(files.imported, now, Number(process.env.BENCH_WHOLE_RUNS ?? '1'));
    case 'seed-legacy':
      return measure(phase, async () => ({
        records: (await benchSeed(files.legacy, { entities: BENCH_ENTITIES, legacy: true, now })).records,
      }));
    case 'migrate':
      return measure(phase, async () => {
        const result = await benchMigrate(files.legacy, { backupDir: files.backups });
        return { records: result.storeRecords, details: { runId: result.runId ?? '', changed: result.records, ...result.steps } };
      });
    case 'undo':
      return measure(phase, async () => {
        if (!runId) throw new Error('undo needs the run id of the migrate phase');
        const result = await benchUndo(files.legacy, runId);
        return { records: result.records, details: { ...result.steps } };
      });
    default:
      throw new Error(`Unknown bench phase: ${phase}`);
  }
}

const [phase, dir, nowText, runId] = process.argv.slice(2);
if (!phase || !dir || !nowText) {
  process.stderr.write('usage: tsx bench/phase.ts <phase> <dir> <nowMs> [runId]\n');
  process.exit(2);
}
const measurement = await runPhase(phase, dir, Number(nowText), runId);
process.stdout.write(`${JSON.stringify(measurement)}\n`);
process.exit(0);
