/** Modal submissions (`view_submission`): one kebab-case file per modal. None yet. */
import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';

/** Registers the modal handlers on `app`. */
export function register(_app: App, _deps: HandlerDeps): void {}
