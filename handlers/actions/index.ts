/** Buttons (`block_actions`): one kebab-case file per button. */
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';

/** Registers the button handlers on `app`. */
export function register(_app: App, _deps: HandlerDeps): void {}
