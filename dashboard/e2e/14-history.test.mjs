// A long deployment history, as someone who pressed Deploy many times meets it: the newest 50
// are shown and kept live; the older ones come on asking, with nothing missing or repeated.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { adminToken, apiCall, commitFile, composeFile, createApplication, eventually, Session, step } from './support.mjs';

let session;
let token;
let applicationId;
const suffix = randomUUID().slice(0, 8);
const name = `history-${suffix}`;
const DEPLOYS = 55;

before(async () => {
  session = await Session.open();
});

after(async () => {
  if (applicationId) {
    await apiCall('DELETE', `/applications/${applicationId}?wait=true`, { token }).catch(() => {});
  }
  await session?.close();
});

/** The whole history through the API, newest first, page by page. */
async function history() {
  const ids = [];
  let before = '';
  for (;;) {
    const page = await apiCall('GET', `/applications/${applicationId}/deployments?limit=500${before}`, { token });
    assert.equal(page.status, 200, JSON.stringify(page.body));
    ids.push(...page.body);
    if (page.body.length < 500) return ids;
    before = `&before=${page.body[page.body.length - 1].id}`;
  }
}

step('a history longer than a page shows the newest 50, and the older ones on asking', async () => {
  token = await adminToken();
  const path = `history-${suffix}/compose.yaml`;
  commitFile(path, composeFile(`history-${suffix}`), 'a stack deployed many times');
  applicationId = await createApplication(token, { repository: `history-${suffix}`, name, path });
  // Deploy pressed again and again: each is a deployment of the history, most superseded by the next.
  for (let i = 0; i < DEPLOYS; i++) {
    const deploy = await apiCall('POST', `/applications/${applicationId}/deploy`, { token });
    assert.equal(deploy.status, 202, JSON.stringify(deploy.body));
  }
  // Settled first, so no live event moves an older deployment while the page is read.
  const all = await eventually(async () => {
    const deployments = await history();
    return deployments.length > DEPLOYS && deployments.every((d) => d.outcome !== null) ? deployments.map((d) => d.id) : null;
  }, { timeout: 120_000, what: `more than ${DEPLOYS} deployments in the history, all ended` });

  const { page } = session;
  await session.signIn();
  await page.waitForURL('**/applications');
  await page.goto(`/applications/${applicationId}`);
  await page.getByRole('heading', { name }).waitFor();
  await page.getByRole('tab', { name: 'Deployments' }).click();
  const table = page.getByRole('table', { name: 'Deployments' });
  const rows = table.locator('tbody tr');
  await eventually(async () => (await rows.count()) === 50, { what: 'the newest 50 deployments shown' });
  const shown = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-deployment-id')));
  assert.deepEqual(shown, all.slice(0, 50));

  await page.getByRole('button', { name: 'Show older deployments' }).click();
  await eventually(async () => (await rows.count()) === all.length, { what: `all ${all.length} deployments shown` });
  const everything = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-deployment-id')));
  assert.deepEqual(everything, all);
  assert.equal(await page.getByRole('button', { name: 'Show older deployments' }).count(), 0, 'no older page left');
  await session.screenshotAll('deployment-history-pages');
});
