// The running stack changed by hand, as a person watches it on the application's page: a
// container removed with docker turns the application out of sync, live, saying what drifted;
// a redeploy puts it back. With self-heal switched on in the deploy settings, a container killed
// with docker is running again without anyone touching the page.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { adminToken, apiCall, commitFile, composeFile, containersOf, createApplication, DEPLOY_WAIT, docker, eventually, Session, step } from './support.mjs';

let session;
let page;
let token;
let applicationId;

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


step('a container removed by hand turns the application out of sync, live, and says what drifted', async () => {
  token = await adminToken();
  const suffix = randomUUID().slice(0, 8);
  const path = `drift-${suffix}/compose.yaml`;
  commitFile(path, composeFile(`drift-${suffix}`), 'a stack to drift from');
  applicationId = await createApplication(token, { repository: `drift-${suffix}`, name: `drifting-${suffix}`, path });

  await session.signIn();
  await page.waitForURL('**/applications');
  await page.goto(`/applications/${applicationId}`);
  await page.getByText('Sync: Synced').waitFor({ timeout: DEPLOY_WAIT });
  await page.getByText('Health: Healthy').waitFor({ timeout: DEPLOY_WAIT });
  await session.markLoaded();

  const [container] = containersOf(applicationId);
  assert.ok(container, "the application's container");
  await docker('rm', '-f', container);

  // On the way it may say what it saw in passing ("stopped (removing)"); it ends at "removed".
  const error = page.getByTestId('last-error');
  await error.waitFor({ timeout: DEPLOY_WAIT });
  await eventually(async () => /drift: service 'web': container removed/.test(await error.textContent()),
    { timeout: DEPLOY_WAIT, what: 'the drift to name the removed container' });
  await page.getByText('Sync: Out of sync').waitFor();
  await page.getByText('Health: Missing').waitFor({ timeout: DEPLOY_WAIT });
  await session.assertNotReloaded();
  await session.screenshotAll('application-drifted');
});

step('a redeploy puts the stack back, and the page says synced again', async () => {
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  await page.getByText('Sync: Synced').waitFor({ timeout: DEPLOY_WAIT });
  await page.getByText('Health: Healthy').waitFor({ timeout: DEPLOY_WAIT });
  await page.getByTestId('last-error').waitFor({ state: 'detached' });
  assert.equal(containersOf(applicationId).length, 1);
});

step('with self-heal on, a container killed by hand is running again on its own', async () => {
  await page.getByRole('button', { name: 'Change settings' }).click();
  const form = page.getByRole('form', { name: 'Deploy settings' });
  await form.getByRole('switch', { name: 'Self-heal' }).check();
  await form.getByRole('button', { name: 'Save settings' }).click();
  await page.getByTestId('deploy-settings').getByText('On: drift is repaired by redeploying').waitFor();
  // The setting reaches the agent with a deployment of its own.
  await eventually(async () => {
    const deployments = await apiCall('GET', `/applications/${applicationId}/deployments`, { token });
    return deployments.body?.[0]?.state === 'succeeded' && deployments.body.length >= 3;
  }, { timeout: DEPLOY_WAIT, what: 'the deployment that carries self-heal' });

  const [container] = containersOf(applicationId);
  await docker('kill', container);
  await eventually(async () => (await docker('inspect', '--format', '{{.State.Status}}', container)) === 'exited',
    { what: 'the killed container to stop' });
  // The agent re-applies the last deployment: compose starts the stack again.
  await eventually(async () => {
    const running = await docker('ps', '-q', '--filter', `label=orca-cd.application-id=${applicationId}`,
      '--filter', 'status=running');
    return running.length > 0;
  }, { timeout: DEPLOY_WAIT, what: 'the stack running again' });
  await page.getByText('Health: Healthy').waitFor({ timeout: DEPLOY_WAIT });
  await page.getByText('Sync: Synced').waitFor({ timeout: DEPLOY_WAIT });
  await session.screenshotAll('application-self-healed');
});
