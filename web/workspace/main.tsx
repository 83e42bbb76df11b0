/**
 * The local workspace page: a Slack-like client for the two local users. Sidebar with the channels and the
 * ontology-ops App Home, the message list with Block Kit, threads, ephemerals and edits, a composer for
 * `/ontology …`, modals, and a user switcher. State comes from `/workspace/api/state`, refreshed on every change
 * the live stream announces.
 *
 * Stable `data-testid`s for browser tests: `channel-<name>`, `app-home` (sidebar), `home`, `home-tab`,
 * `messages-tab`, `user-switch` (a select of user ids), `composer`, `message` / `ephemeral` (with `data-ts`),
 * `edited`, `thread-open`, `thread`, `file`, `modal`, `modal-submit`, `modal-cancel`, `modal-error`, `confirm`,
 * `confirm-yes`, `confirm-no`, `toast`, `dashboard-link`; interactive elements carry `data-action-id` (buttons,
 * menu buttons; menu items `data-option-value`).
 */
import { render, type JSX } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ChannelView, MessageView, WorkspaceSnapshot } from '../../src/workspace/snapshot.ts';
import { closeView, fetchSnapshot, openHome, sendAction, sendText, submitView, subscribe, type Surface } from './api.ts';
import { Blocks, type BlockContext, type ConfirmObject } from './blocks.tsx';
import { Composer } from './composer.tsx';
import { Confirm, Modal } from './dialogs.tsx';
import { continues, MessageList } from './message-list.tsx';
import { Message, type Author } from './message.tsx';
import type { Names } from './mrkdwn.tsx';
import './styles.css';

/** What the main pane shows. */
type Place = { kind: 'channel'; id: string } | { kind: 'home'; tab: 'home' | 'messages' };

/** Where the page remembers who you are between visits. */
const USER_KEY = 'ontology-ops.workspace.user';

function placeFromHash(): Place | null {
  const hash = decodeURIComponent(location.hash.slice(1));
  if (hash === 'home') return { kind: 'home', tab: 'home' };
  if (hash === 'messages') return { kind: 'home', tab: 'messages' };
  return hash ? { kind: 'channel', id: hash } : null;
}

function initialUser(): string {
  return new URLSearchParams(location.search).get('user') ?? localStorage.getItem(USER_KEY) ?? 'UENGINEER1';
}

function hueOf(id: string): number {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return hash;
}

function App(): JSX.Element {
  const [user, setUser] = useState(initialUser);
  const [snapshot, setSnapshot] = useState<WorkspaceSnapshot | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [place, setPlace] = useState<Place>(() => placeFromHash() ?? { kind: 'channel', id: 'CCRITICAL1' });
  const [thread, setThread] = useState<{ channel: string; ts: string } | null>(null);
  const [confirm, setConfirm] = useState<(ConfirmObject & { proceed: () => void }) | null>(null);
  const [toast, setToast] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [seen, setSeen] = useState<Record<string, number>>({});
  const refreshing = useRef<{ running: boolean; again: boolean }>({ running: false, again: false });
  const userRef = useRef(user);
  userRef.current = user;

  const refresh = useCallback(async () => {
    const flags = refreshing.current;
    if (flags.running) {
      flags.again = true;
      return;
    }
    flags.running = true;
    try {
      do {
        flags.again = false;
        const next = await fetchSnapshot(userRef.current);
        if (next.me.id === userRef.current) setSnapshot(next);
      } while (flags.again);
      setFailure(null);
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      flags.running = false;
    }
  }, []);

  useEffect(() => subscribe(() => void refresh()), [refresh]);
  useEffect(() => {
    localStorage.setItem(USER_KEY, user);
    setSnapshot(null);
    setThread(null);
    void refresh();
    if (place.kind === 'home') void openHome(user);
  }, [user]);
  useEffect(() => {
    history.replaceState(null, '', `${location.pathname}?user=${user}#${place.kind === 'home' ? (place.tab === 'home' ? 'home' : 'messages') : place.id}`);
  }, [user, place]);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), 6000);
    return () => clearTimeout(timer);
  }, [toast]);

  const names: Names = useMemo(
    () => ({
      user: (id) => (id === snapshot?.bot.userId ? (snapshot?.bot.name ?? id) : (snapshot?.users.find((candidate) => candidate.id === id)?.realName ?? id)),
      channel: (id) => snapshot?.channels.find((channel) => channel.id === id)?.name ?? id,
    }),
    [snapshot],
  );

  const authorOf = (message: MessageView): Author => {
    if (message.user === 'USLACKBOT') return { name: 'Slackbot', initials: 'SB', hue: 200, app: false };
    if (message.bot) return { name: snapshot?.bot.name ?? 'ontology-ops', initials: 'OO', hue: 262, app: true };
    const person = snapshot?.users.find((candidate) => candidate.id === message.user);
    const name = person?.realName ?? message.user;
    return {
      name,
      initials: name
        .split(' ')
        .map((part) => part[0])
        .join('')
        .slice(0, 2),
      hue: hueOf(message.user),
      app: false,
    };
  };

  const report = (outcome: { ok: boolean; error?: string }, what: string) => {
    // A too-long input is shown under the input itself, as Slack shows it.
    if (!outcome.ok && outcome.error !== 'unknown_command' && outcome.error !== 'input_too_long' && outcome.error) setToast(`${what} failed: ${outcome.error}`);
  };

  const contextFor = (surface: Surface): BlockContext => ({
    names,
    onAction: async (blockId, element, selectedValue) => {
      if (element.url && !element.action_id) return;
      report(await sendAction(user, surface, blockId, element.action_id ?? '', selectedValue), 'The click');
    },
    onConfirm: (object, proceed) => setConfirm({ ...object, proceed }),
  });

  const open = (next: Place) => {
    setPlace(next);
    setThread(null);
    if (next.kind === 'home' && next.tab === 'home') void openHome(user);
  };

  useEffect(() => {
    if (!snapshot) return;
    const counts: Record<string, number> = {};
    if (place.kind === 'channel') counts[place.id] = snapshot.channels.find((channel) => channel.id === place.id)?.messages.length ?? 0;
    else counts.direct = snapshot.direct.length;
    setSeen((current) => ({ ...current, ...counts }));
  }, [snapshot, place]);

  if (!snapshot) {
    return <div class="loading">{failure ? `Cannot reach the workspace: ${failure}` : 'Loading the workspace…'}</div>;
  }

  const channel: ChannelView | undefined = place.kind === 'channel' ? snapshot.channels.find((candidate) => candidate.id === place.id) : undefined;
  const renderMessage = (inChannel: string) => (message: MessageView, previous: MessageView | undefined) => (
    <Message
      key={message.ts}
      message={message}
      compact={continues(previous, message)}
      author={authorOf(message)}
      context={contextFor({ kind: 'message', channelId: inChannel, messageTs: message.ts })}
      onOpenThread={() => setThread({ channel: inChannel, ts: message.ts })}
    />
  );
  const topLevel = (messages: MessageView[]) => messages.filter((message) => !message.threadTs || message.broadcast);
  const threadChannel = thread ? (thread.channel === 'direct' ? null : snapshot.channels.find((candidate) => candidate.id === thread.channel)) : null;
  const threadMessages = thread && threadChannel ? threadChannel.messages.filter((message) => message.ts === thread.ts || message.threadTs === thread.ts) : [];
  const me = snapshot.me;

  return (
    <div class="app">
      <header class="topbar">
        <div class="topbar-title">
          <span class="logo">◆</span> ontology-ops <span class="topbar-sub">local workspace</span>
        </div>
        <div class="topbar-search">Search {snapshot.team}</div>
        <div class="topbar-right">
          <a class="dashboard-link" href="/dashboard/" data-testid="dashboard-link">
            Dashboard ↗
          </a>
          <label class="user-switch">
            <span class="avatar avatar-small" style={{ background: `hsl(${hueOf(me.id)} 55% 42%)` }}>
              {me.realName
                .split(' ')
                .map((part) => part[0])
                .join('')}
            </span>
            <select
              data-testid="user-switch"
              value={user}
              onChange={(event) => setUser((event.currentTarget as HTMLSelectElement).value)}
              aria-label="Signed in as"
            >
              {snapshot.users.map((person) => (
                <option value={person.id}>
                  {person.realName} — {person.title}
                </option>
              ))}
            </select>
          </label>
        </div>
      </header>
      <nav class="sidebar">
        <div class="workspace-name">
          {snapshot.team}
          <span
            class={`status-dot ${snapshot.connected ? 'online' : 'offline'}`}
            title={snapshot.connected ? 'The bot is connected' : 'The bot is not connected'}
          />
        </div>
        <div class="sidebar-section">Channels</div>
        {snapshot.channels.map((candidate) => {
          const unread = candidate.messages.length > (seen[candidate.id] ?? 0) && !(place.kind === 'channel' && place.id === candidate.id);
          return (
            <button
              type="button"
              class={`sidebar-item${place.kind === 'channel' && place.id === candidate.id ? ' active' : ''}${unread ? ' unread' : ''}`}
              data-testid={`channel-${candidate.name}`}
              onClick={() => open({ kind: 'channel', id: candidate.id })}
            >
              <span class="hash">#</span>
              {candidate.name}
              {unread ? <span class="badge">{candidate.messages.length - (seen[candidate.id] ?? 0)}</span> : null}
            </button>
          );
        })}
        <div class="sidebar-section">Apps</div>
        <button
          type="button"
          class={`sidebar-item${place.kind === 'home' ? ' active' : ''}`}
          data-testid="app-home"
          onClick={() => open({ kind: 'home', tab: 'home' })}
        >
          <span class="avatar avatar-tiny app-avatar">OO</span>
          {snapshot.bot.name}
        </button>
        <div class="sidebar-footer">
          Signed in as <strong>{me.realName}</strong>
          <br />
          <span>{me.title}</span>
        </div>
      </nav>
      <main class="main">
        {place.kind === 'channel' ? (
          channel ? (
            <>
              <div class="channel-header">
                <div class="channel-name"># {channel.name}</div>
                <div class="channel-purpose">{channel.purpose}</div>
              </div>
              {!snapshot.connected ? <div class="banner">The bot is not connected yet: commands and clicks wait for it.</div> : null}
              <MessageList
                messages={topLevel(channel.messages)}
                render={renderMessage(channel.id)}
                empty={
                  <div class="empty">
                    <div class="empty-title">This is the very beginning of #{channel.name}</div>
                    <div>
                      {channel.purpose}. Type <code>/ontology help</code> below to start.
                    </div>
                  </div>
                }
              />
              <Composer
                placeholder={`Message #${channel.name} — /ontology integrity`}
                onSend={async (text) => report(await sendText(user, channel.id, text), 'The command')}
              />
            </>
          ) : (
            <div class="empty">No channel {place.id} here: pick one in the sidebar.</div>
          )
        ) : (
          <>
            <div class="channel-header home-header">
              <span class="avatar app-avatar">OO</span>
              <div>
                <div class="channel-name">{snapshot.bot.name}</div>
                <div class="channel-purpose">Data quality of the ONE ontology</div>
              </div>
              <div class="tabs">
                <button type="button" class={place.tab === 'home' ? 'active' : ''} data-testid="home-tab" onClick={() => open({ kind: 'home', tab: 'home' })}>
                  Home
                </button>
                <button
                  type="button"
                  class={place.tab === 'messages' ? 'active' : ''}
                  data-testid="messages-tab"
                  onClick={() => open({ kind: 'home', tab: 'messages' })}
                >
                  Messages
                  {snapshot.direct.length > (seen.direct ?? 0) && place.tab !== 'messages' ? (
                    <span class="badge">{snapshot.direct.length - (seen.direct ?? 0)}</span>
                  ) : null}
                </button>
              </div>
            </div>
            {place.tab === 'home' ? (
              <div class="home" data-testid="home">
                {snapshot.home ? (
                  <Blocks blocks={snapshot.home.blocks} context={contextFor({ kind: 'home' })} />
                ) : (
                  <div class="empty">Opening the Home tab…</div>
                )}
              </div>
            ) : (
              <MessageList
                messages={snapshot.direct}
                render={(message, previous) => (
                  <Message
                    key={message.ts}
                    message={message}
                    compact={continues(previous, message)}
                    author={authorOf(message)}
                    context={contextFor({ kind: 'message', channelId: `D${user.slice(1)}`, messageTs: message.ts })}
                  />
                )}
                empty={<div class="empty">No messages from {snapshot.bot.name} yet.</div>}
              />
            )}
          </>
        )}
      </main>
      {thread && threadMessages.length > 0 ? (
        <aside class="thread" data-testid="thread">
          <div class="thread-header">
            <div>
              <strong>Thread</strong>
              <span class="channel-purpose"> # {threadChannel?.name}</span>
            </div>
            <button type="button" class="dialog-close" aria-label="Close thread" onClick={() => setThread(null)}>
              ×
            </button>
          </div>
          <div class="messages">
            {threadMessages.map((message, index) => (
              <>
                <Message
                  key={message.ts}
                  message={message}
                  author={authorOf(message)}
                  context={contextFor({ kind: 'message', channelId: thread.channel, messageTs: message.ts })}
                />
                {index === 0 ? (
                  <div class="thread-divider">
                    {threadMessages.length - 1} {threadMessages.length === 2 ? 'reply' : 'replies'}
                  </div>
                ) : null}
              </>
            ))}
          </div>
        </aside>
      ) : null}
      {snapshot.modal ? (
        <Modal
          key={`${snapshot.modal.id}:${JSON.stringify(snapshot.modal.blocks).length}`}
          modal={snapshot.modal}
          context={contextFor({ kind: 'modal' })}
          busy={busy}
          onClose={() => void closeView(user).then(refresh)}
          onSubmit={(values) => {
            setBusy(true);
            void submitView(user, snapshot.modal!.id, values)
              .then((outcome) => report(outcome, 'The submission'))
              .finally(() => setBusy(false));
          }}
        />
      ) : null}
      {confirm ? <Confirm confirm={confirm} onDone={() => setConfirm(null)} /> : null}
      {toast ? (
        <div class="toast" role="status" data-testid="toast">
          {toast}
        </div>
      ) : null}
    </div>
  );
}

render(<App />, document.getElementById('app')!);
