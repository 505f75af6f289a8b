// The applications page with 500 applications: how long a full load takes to show the first row
// and its whole first page (100 rows), measured in the browser from navigation start.
// The applications are made through the API, on an agent that is not running and a repository
// that cannot be reached, so they stay put while the page is measured.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { adminToken, apiCall, Session, step, writeFigure } from './support.mjs';

const COUNT = 500;
const LOADS = 3;
const PAGE_SIZE = 100;
let session;
let page;

before(async () => {
  session = await Session.open();
  page = session.page;
});

after(async () => {
  await session?.close();
});

step(`${COUNT} applications are created through the API`, async () => {
  const token = await adminToken();
  const agent = await apiCall('POST', '/agents', { token, body: { name: 'scale-host' } });
  assert.equal(agent.status, 201, JSON.stringify(agent.body));
  const repo = await apiCall('POST', '/repositories', {
    token,
    body: { name: 'scale-repo', url: 'http://127.0.0.1:9/unreachable.git', syncType: 'manual' },
  });
  assert.equal(repo.status, 201, JSON.stringify(repo.body));
  const names = Array.from({ length: COUNT }, (_, i) => `svc-${String(i + 1).padStart(3, '0')}`);
  const started = Date.now();
  for (let i = 0; i < names.length; i += 10) {
    const created = await Promise.all(
      names.slice(i, i + 10).map((name) =>
        apiCall('POST', '/applications', {
          token,
          body: { name, repositoryId: repo.body.id, agentId: agent.body.id, branch: 'main', path: `${name}/compose.yaml` },
        }),
      ),
    );
    created.forEach((c) => assert.equal(c.status, 201, JSON.stringify(c.body)));
  }
  console.log(`created ${COUNT} applications in ${Date.now() - started} ms`);
});

step(`the applications page renders ${COUNT} applications, measured in the browser`, async () => {
  await session.signIn();
  await page.waitForURL('**/applications');
  const total = (await apiCall('GET', '/applications', { token: await adminToken() })).body.length;
  assert.ok(total >= COUNT);
  const runs = [];
  for (let i = 0; i < LOADS; i++) {
    await page.goto('/applications', { waitUntil: 'commit' });
    const firstRow = await page.waitForFunction(() => document.querySelector('tbody tr') && performance.now(), null, {
      polling: 'raf',
      timeout: 60_000,
    });
    const fullPage = await page.waitForFunction(
      (n) => document.querySelectorAll('tbody tr[data-application-id]').length >= n && performance.now(),
      Math.min(PAGE_SIZE, total),
      { polling: 'raf', timeout: 60_000 },
    );
    runs.push({ firstRowMs: Math.round(await firstRow.jsonValue()), firstPageMs: Math.round(await fullPage.jsonValue()) });
  }
  await page.getByText(`${total} applications · 1–${PAGE_SIZE} shown`).waitFor();
  await session.screenshot('applications-500', { fullPage: false });
  const median = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  writeFigure('applications-page-500', {
    applications: total,
    loads: runs,
    medianFirstRowMs: median('firstRowMs'),
    medianFirstPageMs: median('firstPageMs'),
  });

  // The last page holds the rest; the page number is kept in the URL.
  const last = Math.ceil(total / PAGE_SIZE);
  await page.getByRole('button', { name: `Page ${last}` }).first().click();
  await page.waitForURL(new RegExp(`page=${last}`));
  await page.waitForFunction(
    (n) => document.querySelectorAll('tbody tr[data-application-id]').length === n,
    total - (last - 1) * PAGE_SIZE,
    { timeout: 10_000 },
  );

  // The server searches: the page asks for the matches once typing pauses.
  const searched = page.waitForResponse((r) => /\/api\/v1\/applications\?.*q=svc-42/.test(r.url()));
  await page.getByRole('textbox', { name: 'Search' }).fill('svc-42');
  await page.waitForURL(/q=svc-42/);
  assert.equal((await searched).headers()['x-total-count'], '10');
  await page.getByText(`10 of ${total} applications`).waitFor();

  // A new match made elsewhere joins the searched list live, and the counts follow.
  const token = await adminToken();
  const one = (await apiCall('GET', '/applications?q=svc-001', { token })).body[0];
  const made = await apiCall('POST', '/applications', {
    token,
    body: { name: 'svc-42-late', repositoryId: one.repositoryId, agentId: one.agentId, branch: 'main', path: 'late/compose.yaml' },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await page.getByRole('link', { name: 'svc-42-late' }).waitFor({ timeout: 15_000 });
  await page.getByText(`11 of ${total + 1} applications`).waitFor({ timeout: 15_000 });
});
