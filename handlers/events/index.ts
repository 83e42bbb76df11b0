/** Events API handlers (`app_home_opened`, …): one kebab-case file per event. None yet. */
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';

/** Registers the event handlers on `app`. */
export function register(_app: App, _deps: HandlerDeps): void {}
