// A git remote that hangs, as a person sees it: pressing Sync now on its repository shows
// Syncing at once and keeps showing it while the fetch waits; another repository syncs to
// Success meanwhile (one hanging remote holds up no one else); when the git timeout
// (ORCA_GIT_TIMEOUT, 8 s in these tests) runs out, the page turns Failed and says why, live.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before } from 'node:test';
import { adminToken, apiCall, eventually, GIT_URL, Session, step } from './support.mjs';

let session;
let page;
let silent;
const connections = [];
let hanging;
let healthy;

before(async () => {
  // Accepts connections and never answers: a git server that hangs.
  silent = createServer((socket) => {
    // Orca's git client resets the connection when its timeout gives up on it: not an error here.
    socket.on('error', () => undefined);
    connections.push(socket);
  });
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
  session = await Session.open();
  page = session.page;
});

after(async () => {
  connections.forEach((socket) => socket.destroy());
  await new Promise((resolve) => silent?.close(resolve) ?? resolve());
  await session?.close();
});

/** A manual repository at `url` with one application on main, made through the API. */
async function repositoryWithApplication(token, name, url, agentId) {
  const repository = await apiCall('POST', '/repositories', { token, body: { name, url, syncType: 'manual' } });
  assert.equal(repository.status, 201, JSON.stringify(repository.body));
  const application = await apiCall('POST', '/applications', {
    token,
    body: { name: `${name}-app`, repositoryId: repository.body.id, agentId, branch: 'main', path: 'compose.yaml' },
  });
  assert.equal(application.status, 201, JSON.stringify(application.body));
  return repository.body;
}

step('a repository whose remote hangs shows Syncing while its fetch waits', async () => {
  const token = await adminToken();
  const suffix = randomUUID().slice(0, 8);
  const agent = await apiCall('POST', '/agents', { token, body: { name: `sync-host-${suffix}` } });
  assert.equal(agent.status, 201, JSON.stringify(agent.body));
  hanging = await repositoryWithApplication(token, `hangs-${suffix}`,
    `http://127.0.0.1:${silent.address().port}/hangs.git`, agent.body.id);
  healthy = await repositoryWithApplication(token, `answers-${suffix}`, GIT_URL, agent.body.id);

  await session.signIn();
  await page.waitForURL('**/applications');
  await page.goto(`/repositories/${hanging.id}`);
  await page.getByRole('heading', { name: hanging.name }).waitFor();
  await session.markLoaded();
  await page.getByRole('button', { name: `Sync ${hanging.name} now` }).click();
  await page.getByText('Sync: Syncing').first().waitFor();
  await eventually(() => connections.length > 0, { what: 'the fetch reaching the hanging remote' });
});

step('another repository syncs to Success while the first still waits', async () => {
  const token = await adminToken();
  const sync = await apiCall('POST', `/repositories/${healthy.id}/sync`, { token });
  assert.equal(sync.status, 202, JSON.stringify(sync.body));
  await eventually(async () => (await apiCall('GET', `/repositories/${healthy.id}`, { token })).body.syncStatus === 'success', {
    what: `${healthy.name} synced`,
  });
  const first = (await apiCall('GET', `/repositories/${hanging.id}`, { token })).body;
  assert.equal(first.syncStatus, 'syncing', 'the hanging repository is still syncing');

  await page.getByRole('link', { name: 'Repositories' }).first().click();
  const table = page.getByRole('table', { name: 'Repositories' });
  await table.getByRole('row', { name: new RegExp(hanging.name) }).getByText('Sync: Syncing').waitFor();
  await table.getByRole('row', { name: new RegExp(healthy.name) }).getByText('Sync: Success').waitFor();
  await session.screenshotAll('repositories-one-syncing');
});

step('when the git timeout runs out the repository turns Failed and says why, without a reload', async () => {
  await table().getByRole('row', { name: new RegExp(hanging.name) }).getByText('Sync: Failed').waitFor({ timeout: 60_000 });
  await page.getByRole('link', { name: hanging.name }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Last sync failed' });
  await alert.waitFor();
  assert.match(await alert.textContent(), /cannot fetch http:\/\/127\.0\.0\.1:\d+\/hangs\.git: .*timed out/i);
  await session.assertNotReloaded();
});

function table() {
  return page.getByRole('table', { name: 'Repositories' });
}
