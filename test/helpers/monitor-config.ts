/** Configuration of the monitors for tests: the default schedules, channels set, timers slow. */
import { loadConfig, type Config } from '../../src/config.ts';

/** A configuration as the environment would give it, with overrides of the monitors section. */
export function testConfig(instanceId: string, monitors: Partial<Config['monitors']> = {}): Config {
  const config = loadConfig({
    ALERT_CHANNEL_CRITICAL: 'C_CRIT',
    ALERT_CHANNEL_WARNING: 'C_WARN',
    REPORT_CHANNEL: 'C_REPORT',
    MONITOR_INSTANCE_ID: instanceId,
    MONITOR_OUTBOX_INTERVAL: '10m',
  });
  return { ...config, monitors: { ...config.monitors, ...monitors } };
}
