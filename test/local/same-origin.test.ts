/**
 * The local server answers only requests addressed to one of its own names, from its own pages or from none: the
 * pure decision (`same-origin.ts`), then the real server, including the dashboard's one request that changes
 * something. Requests go out with the exact Host, Origin and path a tricked browser would send.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { sendJson } from '../../src/local/http.ts';
import { foreignRequest, servedHosts } from '../../src/local/same-origin.ts';
import { startLocalServer } from '../../src/local/server.ts';
import { dashboardFixture } from '../dashboard/fixture.ts';
import { rawRequest } from '../helpers/raw-http.ts';

describe('the names the local server answers to', () => {
  it.each([
    ['bound to loopback (the default): the loopback names', '127.0.0.1', 3000, [], ['localhost:3000', '127.0.0.1:3000', '[::1]:3000']],
    ['bound to a name (LOCAL_HOST): that name first, then loopback', 'ops-box.lan', 3000, [], ['ops-box.lan:3000', 'localhost:3000', '127.0.0.1:3000', '[::1]:3000']],
    [
      'bound to every interface: the machine addresses another machine reaches it at',
      '0.0.0.0',
      3000,
      ['127.0.0.1', '10.0.0.7', 'fe80::1'],
      ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', '10.0.0.7:3000', '[fe80::1]:3000'],
    ],
    ['bound to IPv6 loopback: written in brackets', '::1', 3000, [], ['localhost:3000', '127.0.0.1:3000', '[::1]:3000']],
    ['on port 80: also without the port, as browsers send it', '127.0.0.1', 80, [], ['localhost:80', 'localhost', '127.0.0.1:80', '127.0.0.1', '[::1]:80', '[::1]']],
  ])('%s', (_case, bound, port, interfaces, expected) => {
    expect(servedHosts(bound, port, interfaces)).toEqual(expected);
  });

  const served = servedHosts('127.0.0.1', 3000);
  it.each([
    ['the page itself (same origin)', { host: 'localhost:3000', origin: 'http://localhost:3000' }, null],
    ['the bot or a terminal (no Origin)', { host: '127.0.0.1:3000' }, null],
    ['a Host written in capitals', { host: 'LOCALHOST:3000' }, null],
    ['a DNS-rebinding page (its own domain in Host, same origin to the browser)', { host: 'evil.example:3000', origin: 'http://evil.example:3000' }, /^Refused: .*open http:\/\/localhost:3000\/\.$/],
    ['another port of this machine', { host: 'localhost:3001' }, /^Refused/],
    ['no Host at all (HTTP/1.0)', {}, /^Refused/],
    ["another site's form (right Host, its own Origin)", { host: 'localhost:3000', origin: 'https://evil.example' }, /^Refused: a page of another site cannot call this server/],
    ['a sandboxed frame or a file (Origin null)', { host: 'localhost:3000', origin: 'null' }, /^Refused: a page of another site/],
    ['the page at another loopback name (a different origin)', { host: 'localhost:3000', origin: 'http://127.0.0.1:3000' }, /^Refused: a page of another site/],
    ['an https origin of the same name', { host: 'localhost:3000', origin: 'https://localhost:3000' }, /^Refused: a page of another site/],
  ])('decides %s', (_case, headers, expected) => {
    const refusal = foreignRequest(headers, served);
    if (expected === null) expect(refusal).toBeNull();
    else expect(refusal).toMatch(expected);
  });
});

describe('the local server', () => {
  async function server() {
    let calls = 0;
    const local = await startLocalServer({
      port: 0,
      routes: [
        (_request, response) => {
          calls++;
          sendJson(response, 200, { ok: true });
          return true;
        },
      ],
    });
    onTestFinished(() => local.close());
    return { local, calls: () => calls };
  }

  it('answers its own names, and refuses a foreign Host or Origin with 403 before any route runs', async () => {
    const { local, calls } = await server();
    for (const host of [`127.0.0.1:${local.port}`, `localhost:${local.port}`, `[::1]:${local.port}`]) {
      expect((await rawRequest(local.internalUrl, { path: '/x', headers: { host } })).status).toBe(200);
    }
    expect((await rawRequest(local.internalUrl, { method: 'POST', path: '/x', headers: { origin: `http://127.0.0.1:${local.port}` } })).status).toBe(200);
    expect(calls()).toBe(4);
    for (const headers of [{ host: `evil.example:${local.port}` }, { origin: 'https://evil.example' }, { origin: 'null' }] as Record<string, string>[]) {
      const refused = await rawRequest(local.internalUrl, { method: 'POST', path: '/x', headers, body: '{}' });
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body)).toEqual({ ok: false, error: expect.stringMatching(new RegExp(`^Refused: .*open http://localhost:${local.port}/\\.$`)) });
    }
    expect(calls()).toBe(4);
  });

  it.each([
    ['a malformed % escape', '/page/%zz'],
    ['a truncated % escape', '/page/%E0%A4%A'],
    ['a lone percent sign', '/%'],
    ['an escape that is not UTF-8', '/page/%C3%28'],
    ['a full URL naming another host', 'http://evil.example/page/'],
  ])('answers %s in the path with 400 and one line, reaching no route', async (_case, path) => {
    const { local, calls } = await server();
    const answer = await rawRequest(local.internalUrl, { path });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ ok: false, error: expect.stringMatching(/^The (path has a malformed % escape|request target must be a path)/) });
    expect(calls()).toBe(0);
  });

  it("refuses the dashboard's run-daily from a foreign Host or Origin: the daily job does not run", async () => {
    const fixture = await dashboardFixture({ runs: false });
    const { port } = new URL(fixture.url);
    const runs = async () => (await fixture.backend.monitorPorts.stores.jobRuns.recentJobRuns({ limit: 10, job: 'daily' })).length;
    for (const headers of [{ host: `evil.example:${port}`, origin: `http://evil.example:${port}` }, { origin: 'https://evil.example' }] as Record<string, string>[]) {
      const answer = await rawRequest(fixture.url, { method: 'POST', path: '/dashboard/api/run-daily', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
      expect(answer.status).toBe(403);
    }
    expect((await rawRequest(fixture.url, { path: '/dashboard/', headers: { host: `evil.example:${port}` } })).status).toBe(403);
    expect((await rawRequest(fixture.url, { path: '/dashboard/api/groups', headers: { host: `evil.example:${port}` } })).status).toBe(403);
    expect(await runs()).toBe(0);
    // The same request from the dashboard page itself runs the job.
    const own = await rawRequest(fixture.url, { method: 'POST', path: '/dashboard/api/run-daily', headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${port}` }, body: '{}' });
    expect(own.status).toBe(200);
    expect(await runs()).toBe(1);
  });
});
