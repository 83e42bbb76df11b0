/** What the dashboard's routes are built from. */
import type { MonitorRunner } from '../../monitors/runner.ts';
import type { Backend } from '../backend.ts';
import type { Config } from '../config.ts';

/** The dashboard's dependencies: the backend's services, the configuration, the runner of this process, a clock. */
export interface DashboardDeps {
  backend: Backend;
  config: Config;
  /** The process's monitor runner ("Run daily check now"); null when no monitors run here. */
  runner: Pick<MonitorRunner, 'runJob' | 'isRunning'> | null;
  now: () => number;
  /** Where a failed run or request is reported (the answer itself carries one line). */
  log?: (line: string) => void;
}
