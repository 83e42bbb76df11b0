/** One message as Slack draws it: avatar, name, time, blocks (or text), files, "(edited)", thread link, ephemeral note. */
import type { JSX } from 'preact';
import type { MessageView, SharedFile } from '../../src/workspace/snapshot.ts';
import { Blocks, type BlockContext } from './blocks.tsx';
import { Mrkdwn } from './mrkdwn.tsx';

/** Who posted: display name and avatar initials / colour. */
export interface Author {
  name: string;
  initials: string;
  hue: number;
  app: boolean;
}

/** `HH:MM` of a message ts. */
export function timeOf(ts: string): string {
  const date = new Date(Number(ts.split('.')[0]) * 1000);
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function FileCard({ file }: { file: SharedFile }): JSX.Element {
  if (file.mimetype.startsWith('image/')) {
    return (
      <figure class="file-image" data-testid="file">
        <figcaption>{file.title}</figcaption>
        <a href={file.url} target="_blank" rel="noreferrer">
          <img src={file.url} alt={file.title} />
        </a>
      </figure>
    );
  }
  return (
    <a class="file-card" data-testid="file" href={file.url} target="_blank" rel="noreferrer">
      <span class="file-icon">{file.name.split('.').pop()?.toUpperCase()}</span>
      <span>
        <strong>{file.title}</strong>
        <br />
        <small>{(file.size / 1024).toFixed(1)} KB</small>
      </span>
    </a>
  );
}

/** Renders `message`; `onOpenThread` shows its thread (absent inside the thread pane). */
export function Message(props: {
  message: MessageView;
  author: Author;
  /** Continues the message above by the same author: no avatar or name, the time on hover. */
  compact?: boolean;
  context: BlockContext;
  onOpenThread?: () => void;
}): JSX.Element {
  const { message, author, context } = props;
  return (
    <div
      class={`message${message.ephemeral ? ' message-ephemeral' : ''}${props.compact ? ' message-compact' : ''}`}
      data-testid={message.ephemeral ? 'ephemeral' : 'message'}
      data-ts={message.ts}
    >
      {props.compact ? (
        <div class="gutter-time">{timeOf(message.ts)}</div>
      ) : (
        <div class="avatar" style={{ background: `hsl(${author.hue} 55% 42%)` }}>
          {author.initials}
        </div>
      )}
      <div class="message-main">
        {props.compact ? null : (
          <div class="message-meta">
            <span class="author">{author.name}</span>
            {author.app ? <span class="app-badge">APP</span> : null}
            <span class="time">{timeOf(message.ts)}</span>
            {message.broadcast ? <span class="broadcast">replied to a thread</span> : null}
          </div>
        )}
        {message.blocks.length > 0 ? <Blocks blocks={message.blocks} context={context} /> : <Mrkdwn text={message.text} names={context.names} />}
        {message.edited ? (
          <span class="edited" data-testid="edited">
            (edited)
          </span>
        ) : null}
        {message.files.map((file) => (
          <FileCard file={file} />
        ))}
        {message.ephemeral ? (
          <div class="ephemeral-note">
            <svg class="eye" viewBox="0 0 20 20" aria-hidden="true">
              <path d="M10 4C5.5 4 2.2 7.2 1 10c1.2 2.8 4.5 6 9 6s7.8-3.2 9-6c-1.2-2.8-4.5-6-9-6zm0 10a4 4 0 110-8 4 4 0 010 8zm0-2.2a1.8 1.8 0 100-3.6 1.8 1.8 0 000 3.6z" />
            </svg>
            Only visible to you
          </div>
        ) : null}
        {props.onOpenThread && message.replyCount > 0 ? (
          <button type="button" class="thread-link" data-testid="thread-open" onClick={props.onOpenThread}>
            <span class="thread-avatar">{author.initials}</span>
            {message.replyCount} {message.replyCount === 1 ? 'reply' : 'replies'}
            <span class="thread-view">View thread</span>
          </button>
        ) : null}
      </div>
    </div>
  );
}
