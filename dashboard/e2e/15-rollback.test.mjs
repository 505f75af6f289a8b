// Rollback, as someone whose last change broke things meets it: in the deployment history they
// compare what changed, roll back to the deployment before, and the stack runs that again (its
// compose file and its environment as they were). The application then stays pinned: a newer
// commit is recorded, shown as "behind", and not deployed, until they unpin it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { adminToken, apiCall, commitFile, createApplication, DEPLOY_WAIT, docker, eventually, Session, step } from './support.mjs';

let session;
let page;
let token;
let applicationId;
let repositoryId;
const suffix = randomUUID().slice(0, 8);
const name = `rollback-${suffix}`;
const path = `rollback-${suffix}/compose.yaml`;
const commits = {};

before(async () => {
  session = await Session.open();
  page = session.page;
});

after(async () => {
  if (applicationId && token) {
    await apiCall('DELETE', `/applications/${applicationId}?wait=true`, { token }).catch(() => undefined);
  }
  await session?.close();
});

function stack(marker) {
  return [
    'services:',
    '  web:',
    '    image: orca-test/busybox:1',
    '    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]',
    '    stop_grace_period: 1s',
    '    environment:',
    `      MARKER: ${marker}`,
    '      GREETING: ${GREETING:-unset}',
    '',
  ].join('\n');
}

/** MARKER and GREETING inside the application's running container, or null while none runs. */
async function running() {
  const ids = await docker('ps', '-q', '--filter', `label=orca-cd.application-id=${applicationId}`);
  if (!ids) return null;
  return docker('exec', ids.split(/\s+/)[0], 'sh', '-c', 'echo "$MARKER $GREETING"');
}

async function runs(expected, what) {
  await eventually(async () => (await running().catch(() => null)) === expected, { timeout: DEPLOY_WAIT, what });
}

async function setGreeting(value) {
  const put = await apiCall('PUT', `/applications/${applicationId}/environment`, { token, body: { variables: { GREETING: value } } });
  assert.equal(put.status, 200, JSON.stringify(put.body));
}

async function deployments() {
  const list = await apiCall('GET', `/applications/${applicationId}/deployments`, { token });
  assert.equal(list.status, 200, JSON.stringify(list.body));
  return list.body;
}

step('two deployments, each with its compose file and its environment', async () => {
  token = await adminToken();
  commits.one = commitFile(path, stack('one'), 'the stack as it worked');
  applicationId = await createApplication(token, { repository: `rollback-${suffix}`, name, path });
  repositoryId = (await apiCall('GET', `/applications/${applicationId}`, { token })).body.repositoryId;
  await setGreeting('first');
  await runs('one first', 'the first stack running with the first greeting');
  // Its deployment reported done too: a newer one sent while it waits for readiness would end it.
  await eventually(async () => (await deployments()).every((d) => d.outcome !== null)
    && (await deployments())[0].outcome === 'succeeded', { timeout: DEPLOY_WAIT, what: 'the first deployment settled' });

  commits.two = commitFile(path, stack('two'), 'the change that broke it');
  await setGreeting('second');
  await runs('two second', 'the second stack running with the second greeting');
});

step('the history compares two deployments and rolls back to the earlier one', async () => {
  // The newest successful deployment of the first commit is the one that ran with the first greeting.
  const target = (await deployments()).find((d) => d.commit === commits.one && d.outcome === 'succeeded');
  assert.ok(target, 'the first commit deployed');
  const sha = commits.one.slice(0, 7);

  await session.signIn();
  await page.waitForURL('**/applications');
  await page.goto(`/applications/${applicationId}`);
  await page.getByRole('heading', { name }).waitFor();
  await page.getByRole('tab', { name: 'Deployments' }).click();
  const table = page.getByRole('table', { name: 'Deployments' });
  const newest = table.locator('tbody tr').first();
  await newest.getByRole('button', { name: `Changes in ${commits.two.slice(0, 7)}` }).click();
  const changes = page.getByRole('dialog', { name: `Changes in deployment ${commits.two.slice(0, 7)}` });
  await changes.getByTestId('compose-diff').waitFor();
  const diff = await changes.getByTestId('compose-diff').innerText();
  assert.ok(diff.includes('MARKER: one') && diff.includes('MARKER: two'), diff);
  await session.screenshot('deployment-changes');
  await page.keyboard.press('Escape');
  await changes.waitFor({ state: 'hidden' });

  await table.locator(`tr[data-deployment-id="${target.id}"]`).getByRole('button', { name: `Roll back to ${sha}` }).click();
  const confirm = page.getByRole('dialog', { name: `Roll back to ${sha}?` });
  await confirm.getByText('the environment variables as they were then').waitFor();
  await confirm.getByRole('button', { name: 'Roll back' }).click();
  await page.getByText('Rollback requested').waitFor();
  await confirm.waitFor({ state: 'hidden' });
  const notice = page.getByTestId('pinned-notice');
  await notice.getByText(`Pinned to ${sha} by a rollback`).waitFor();

  await runs('one first', 'the first stack running again with the first greeting');
  const rollback = await eventually(async () => (await deployments()).find((d) => d.reason === 'rollback' && d.outcome === 'succeeded'),
    { timeout: DEPLOY_WAIT, what: 'the rollback succeeded' });
  assert.equal(rollback.commit, commits.one);
  await table.locator(`tr[data-deployment-id="${rollback.id}"]`).getByText('Rollback').waitFor();
  await session.screenshotAll('application-pinned');
  // The applications list says so too.
  await page.getByRole('link', { name: 'Applications' }).first().click();
  await page.getByRole('textbox', { name: 'Search' }).fill(name);
  await page.locator(`tr[data-application-id="${applicationId}"]`).getByText('pinned').waitFor();
  await page.goto(`/applications/${applicationId}`);
  await page.getByTestId('pinned-notice').waitFor();
});

step('a pinned application records a newer commit without deploying it, until it is unpinned', async () => {
  commits.three = commitFile(path, stack('three'), 'the fix');
  const sync = await apiCall('POST', `/repositories/${repositoryId}/sync`, { token });
  assert.equal(sync.status, 202, JSON.stringify(sync.body));
  const notice = page.getByTestId('pinned-notice');
  await notice.getByText(/\d+ commits? behind the branch/).waitFor({ timeout: DEPLOY_WAIT });
  await notice.getByText(commits.three.slice(0, 7)).first().waitFor();
  const app = (await apiCall('GET', `/applications/${applicationId}`, { token })).body;
  assert.equal(app.latestCommit, commits.three);
  assert.ok(app.commitsBehind >= 1, JSON.stringify(app));
  assert.equal(await running(), 'one first', 'the pinned stack still runs');

  await notice.getByRole('button', { name: 'Unpin and deploy the newest commit' }).click();
  await page.getByText("Unpinned: the branch's newest commit is being deployed.").waitFor();
  await notice.waitFor({ state: 'hidden' });
  // Unpinned: the branch's newest commit, with the application's current environment.
  await runs('three second', 'the newest commit running with the current greeting');
  assert.equal((await apiCall('GET', `/applications/${applicationId}`, { token })).body.pinned, null);
});

step('with automatic rollback on, a deployment that fails is rolled back by Orca itself', async () => {
  await page.goto(`/applications/${applicationId}`);
  await page.getByRole('button', { name: 'Change settings' }).click();
  const form = page.getByRole('form', { name: 'Deploy settings' });
  await form.getByRole('switch', { name: 'Roll back automatically' }).check();
  await form.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Saved: a deployment that fails is now rolled back to the last one that succeeded.').waitFor();
  await page.getByTestId('deploy-settings')
    .getByText('On: a failed deployment is rolled back to the last one that succeeded').waitFor();

  // A change the agent's policy refuses (privileged mode): its deployment fails.
  const broken = stack('four').replace('    stop_grace_period: 1s\n', '    stop_grace_period: 1s\n    privileged: true\n');
  commits.four = commitFile(path, broken, 'asks for privileged mode');
  const sync = await apiCall('POST', `/repositories/${repositoryId}/sync`, { token });
  assert.equal(sync.status, 202, JSON.stringify(sync.body));

  // Orca deploys the last deployment that succeeded again, and holds the application there.
  const rollback = await eventually(async () => (await deployments()).find((d) => d.reason === 'rollback'
    && d.actor === 'auto-rollback' && d.outcome === 'succeeded'), { timeout: DEPLOY_WAIT, what: 'the automatic rollback' });
  assert.equal(rollback.commit, commits.three);
  const failed = (await deployments()).find((d) => d.commit === commits.four);
  assert.equal(failed?.outcome, 'failed', JSON.stringify(failed));
  await page.getByTestId('pinned-notice').getByText(`Pinned to ${commits.three.slice(0, 7)} by a rollback`).waitFor();
  // The refused deployment never touched the stack, so this holds either way; the history above is the proof.
  assert.equal(await running(), 'three second', 'the last stack that worked runs');
  await page.getByRole('tab', { name: 'Deployments' }).click();
  await page.getByRole('table', { name: 'Deployments' }).locator(`tr[data-deployment-id="${rollback.id}"]`)
    .getByText('automatic rollback after a failed deployment').waitFor();
  await session.screenshotAll('application-rolled-back-automatically');
});
