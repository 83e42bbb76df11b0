/**
 * The load generator and local Slack Web API of the ack-latency bench (`bench/slack-ack.ts`), run as a child
 * process: Slack is outside the bot's process, so neither its event loop nor its memory counts against the bot's.
 * It answers `auth.test` and every `response_url`, sends waves of signed `/ontology help` commands until told to
 * stop (always at least one), and sends back every latency. Settings come in `BENCH_ACK_CLIENT` (JSON).
 */
'use strict';
const { createServer } = require('node:http');
const { createHmac } = require('node:crypto');
const { concurrency, pauseMs, secret } = JSON.parse(process.env.BENCH_ACK_CLIENT);
let appUrl = null;
let stopping = false;
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json' });
    const body = request.url === '/api/auth.test'
      ? { ok: true, url: 'https://bench.slack.com/', team: 'Bench', user: 'ontology-ops', team_id: 'T0BENCH', user_id: 'U0BOT', bot_id: 'B0BOT' }
      : { ok: true };
    response.end(JSON.stringify(body));
  });
});
server.listen(0, '127.0.0.1', () => process.send({ type: 'listening', port: server.address().port }));
async function command(base, index) {
  const body = new URLSearchParams({
    token: 'deprecated', team_id: 'T0BENCH', team_domain: 'bench', channel_id: 'C0BENCH', channel_name: 'ops',
    user_id: 'U0BENCH' + index, user_name: 'bench', command: '/ontology', text: 'help', api_app_id: 'A0BENCH',
    is_enterprise_install: 'false', response_url: base + '/response/' + index, trigger_id: '1.2.' + index,
  }).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = 'v0=' + createHmac('sha256', secret).update('v0:' + timestamp + ':' + body).digest('hex');
  const started = performance.now();
  const response = await fetch(appUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature },
    body,
  });
  await response.text();
  return { ms: performance.now() - started, ok: response.status === 200 };
}
process.on('message', async (message) => {
  if (message.type === 'stop') { stopping = true; return; }
  appUrl = message.url;
  const base = 'http://127.0.0.1:' + server.address().port;
  if (message.type === 'warm-up') {
    for (let wave = 0; wave < message.waves; wave++) await Promise.all(Array.from({ length: concurrency }, (_, index) => command(base, -1 - index)));
    process.send({ type: 'warm' });
    return;
  }
  if (message.type !== 'start') return;
  stopping = false;
  const samples = [];
  let failures = 0;
  let waves = 0;
  do {
    const results = await Promise.all(Array.from({ length: concurrency }, (_, index) => command(base, waves * concurrency + index)));
    for (const result of results) { samples.push(result.ms); if (!result.ok) failures++; }
    waves++;
    if (!stopping) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  } while (!stopping);
  // The server stays up until the worker ends: answers through response_url may still be on their way.
  process.send({ type: 'done', samples, failures, waves });
});
