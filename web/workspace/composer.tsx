/** The message composer: Enter sends, Shift+Enter adds a line; typing `/` lists the `/ontology` subcommands. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { SUBCOMMAND_HINTS as SUBCOMMANDS } from './subcommand-hints.ts';

/** The composer of a channel; `onSend` resolves once the text was delivered. */
export function Composer(props: { placeholder: string; onSend: (text: string) => Promise<void> }): JSX.Element {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const hint =
    text.startsWith('/') && !text.includes(' ')
      ? SUBCOMMANDS
      : text.startsWith('/ontology ')
        ? SUBCOMMANDS.filter(([usage]) => usage.startsWith(text.slice(10).split(' ')[0] ?? ''))
        : [];
  const send = async () => {
    const typed = text.trim();
    if (!typed || sending) return;
    setSending(true);
    try {
      await props.onSend(typed);
      setText('');
    } finally {
      setSending(false);
    }
  };
  return (
    <div class="composer">
      {hint.length > 0 && text.length < 40 ? (
        <div class="composer-hint">
          <div class="composer-hint-title">/ontology</div>
          {hint.slice(0, 6).map(([usage, what]) => (
            <div class="composer-hint-row">
              <code>/ontology {usage}</code>
              <span>{what}</span>
            </div>
          ))}
        </div>
      ) : null}
      <textarea
        data-testid="composer"
        rows={1}
        placeholder={props.placeholder}
        value={text}
        disabled={sending}
        onInput={(event) => setText((event.currentTarget as HTMLTextAreaElement).value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey) {
            event.preventDefault();
            void send();
          }
        }}
      />
      <div class="composer-bar">
        <span class="composer-tip">
          <strong>Enter</strong> to send · <strong>Shift + Enter</strong> for a new line · try <code>/ontology help</code>
        </span>
        <button type="button" class="send" aria-label="Send" disabled={!text.trim() || sending} onClick={() => void send()}>
          ➤
        </button>
      </div>
    </div>
  );
}
