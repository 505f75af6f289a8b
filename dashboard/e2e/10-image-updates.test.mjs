// A tag that moves to a new image, as a person sees it on the application's page: with "Check for
// new images" switched on in the deploy settings, an image built anew under the tag the stack runs
// is deployed by the agent's next image check, the history shows an image update, and the image it
// replaced is gone. Then a registry tells Orca instead: with an image webhook secret set, the page
// shows the webhook URL, a push notice with the secret deploys the next image at once (a wrong
// secret is refused), and the history shows it live.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import {
  adminToken,
  apiCall,
  commitFile,
  containersOf,
  createApplication,
  DEPLOY_WAIT,
  docker,
  eventually,
  ORCA_URL,
  PUBLIC_URL,
  Session,
  step,
} from './support.mjs';

/** The tag the stack runs; each version is built anew under it. */
const IMAGE = 'orca-e2e/imgupdate:latest';
/** The image check runs every 30 s: one check and its deployment, with room to spare. */
const IMAGE_CHECK_WAIT = 90_000;

// The legacy builder takes FROM orca-test/busybox:1 from the local images, as it is never pushed
// anywhere; docker() runs with this process's environment (each test file has its own process).
process.env.DOCKER_BUILDKIT = '0';

let session;
let page;
let token;
let applicationId;
let removed = false;
let webhookUrl;
const context = mkdtempSync(join(tmpdir(), 'orca-e2e-image-'));
/** The image id of each version built, to check what runs and to clean up. */
const versions = {};

before(async () => {
  session = await Session.open();
  page = session.page;
});

after(async () => {
  if (applicationId && token && !removed) {
    await apiCall('DELETE', `/applications/${applicationId}?wait=true`, { token }).catch(() => undefined);
  }
  for (const image of [IMAGE, ...Object.values(versions)]) {
    await docker('rmi', '-f', image).catch(() => undefined);
  }
  rmSync(context, { recursive: true, force: true });
  await session?.close();
});

/**
 * Builds `version` under the tag: each version is an image of its own (a label), so the one it
 * replaces can be removed without touching orca-test/busybox:1. Returns its image id.
 */
async function buildImage(version) {
  writeFileSync(join(context, 'Dockerfile'), `FROM orca-test/busybox:1\nLABEL orca.e2e.version=${version}\n`);
  await docker('build', '-q', '-t', IMAGE, context);
  versions[version] = await docker('image', 'inspect', '--format', '{{.Id}}', IMAGE);
  return versions[version];
}

/** The image id the application's one running container was created from. */
async function runningImage() {
  const ids = (await docker('ps', '-q', '--filter', `label=orca-cd.application-id=${applicationId}`, '--filter', 'status=running'))
    .split(/\s+/)
    .filter(Boolean);
  assert.equal(ids.length, 1, `one running container: ${ids.join(' ')}`);
  return docker('inspect', '--format', '{{.Image}}', ids[0]);
}

async function deploymentCount() {
  const deployments = await apiCall('GET', `/applications/${applicationId}/deployments`, { token });
  assert.equal(deployments.status, 200, JSON.stringify(deployments.body));
  return deployments.body.length;
}

/** Saved settings reach the agent with a deployment of their own; an image built before it ran would ride along. */
async function settingsDeployed(countBefore) {
  await eventually(async () => {
    const deployments = await apiCall('GET', `/applications/${applicationId}/deployments`, { token });
    return deployments.body?.length > countBefore && deployments.body[0].state === 'succeeded';
  }, { timeout: DEPLOY_WAIT, what: 'the deployment that carries the new settings' });
}

async function notifyPush(secret) {
  const response = await fetch(webhookUrl, {
    method: 'POST',
    headers: { Authorization: `Bearer ${secret}` },
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, text: await response.text() };
}

step('an application runs a tag of an image built here', async () => {
  token = await adminToken();
  await buildImage(1);
  const suffix = randomUUID().slice(0, 8);
  const path = `images-${suffix}/compose.yaml`;
  commitFile(path, [
    'services:',
    '  app:',
    `    image: ${IMAGE}`,
    '    command: ["sleep", "100000"]',
    '    stop_grace_period: 1s',
    '',
  ].join('\n'), 'a stack on a moving tag');
  applicationId = await createApplication(token, { repository: `images-${suffix}`, name: `imaged-${suffix}`, path });

  await session.signIn();
  await page.waitForURL('**/applications');
  await page.goto(`/applications/${applicationId}`);
  await page.getByText('Sync: Synced').waitFor({ timeout: DEPLOY_WAIT });
  await page.getByText('Health: Healthy').waitFor({ timeout: DEPLOY_WAIT });
  await eventually(async () => (await runningImage()) === versions[1], { what: 'the container on version 1' });
  await page.getByTestId('image-update-settings').getByText('Off: images change only with a deployment').waitFor();
});

step('with image checks on, a new image under the tag is deployed and the one it replaced removed', async () => {
  await page.getByRole('button', { name: 'Change settings' }).click();
  const form = page.getByRole('form', { name: 'Deploy settings' });
  const interval = form.getByRole('textbox', { name: 'Check every (seconds)' });
  assert.equal(await interval.isDisabled(), true, 'the interval waits for the checks to be on');
  await form.getByRole('switch', { name: 'Check for new images' }).check();
  await interval.fill('30');
  await form.getByRole('switch', { name: 'Remove superseded images' }).check();
  const before = await deploymentCount();
  await form.getByRole('button', { name: 'Save settings' }).click();

  const settings = page.getByTestId('image-update-settings');
  await settings.getByText('On: every 30 s').waitFor();
  await settings.getByText('Removed after an image update').waitFor();
  await settings.getByText('No secret: registries cannot notify Orca').waitFor();
  assert.equal(await page.getByTestId('image-webhook-url').count(), 0, 'no webhook URL without a secret');
  await settingsDeployed(before);

  await page.getByRole('tab', { name: 'Deployments' }).click();
  const history = page.getByRole('table', { name: 'Deployments' });
  await history.waitFor();
  await session.markLoaded();
  const version2 = await buildImage(2);

  const update = history.getByRole('row').filter({ hasText: 'Image update' });
  await update.waitFor({ timeout: IMAGE_CHECK_WAIT });
  await update.filter({ hasText: 'Outcome: Succeeded' }).waitFor({ timeout: DEPLOY_WAIT });
  await update.getByText(/^image check on /).waitFor();
  await session.assertNotReloaded();
  await eventually(async () => (await runningImage()) === version2, { what: 'the container on version 2' });
  try {
    await eventually(() => docker('image', 'inspect', versions[1]).then(() => false, () => true),
      { what: 'the superseded image of version 1 removed' });
  } catch (error) {
    // What still holds the image, for the failure's reader: a tag, or a container (stopped ones too).
    const tags = await docker('image', 'inspect', '--format', '{{json .RepoTags}}', versions[1]).catch((e) => e.message);
    const users = await docker('ps', '-a', '--filter', `ancestor=${versions[1]}`, '--format', '{{.ID}} {{.Status}} {{.Labels}}')
      .catch((e) => e.message);
    throw new Error(`${error.message}; its tags: ${tags}; containers from it: ${users || 'none'}`);
  }
  await session.screenshotAll('application-image-update');
});

step('with an image webhook secret, a push notice deploys the new image at once, live; a wrong secret is refused', async () => {
  const secret = randomBytes(20).toString('hex');
  await page.getByRole('button', { name: 'Change settings' }).click();
  const form = page.getByRole('form', { name: 'Deploy settings' });
  // Checks off: the next image update can only come from the webhook.
  await form.getByRole('switch', { name: 'Check for new images' }).uncheck();
  await form.getByLabel('Image webhook secret', { exact: true }).fill(secret);
  const before = await deploymentCount();
  await form.getByRole('button', { name: 'Save settings' }).click();

  const settings = page.getByTestId('image-update-settings');
  await settings.getByText('Secret set: registries can notify Orca').waitFor();
  await settings.getByText('Off: images change only with a deployment').waitFor();
  // The page shows the address on Orca's public URL; the test posts to the same path where it reaches Orca.
  const shown = (await page.getByTestId('image-webhook-url').textContent()).trim();
  assert.equal(shown, `${PUBLIC_URL}/api/v1/webhooks/images/${applicationId}`);
  webhookUrl = `${ORCA_URL}${new URL(shown).pathname}`;
  await settingsDeployed(before);

  const forged = await notifyPush('not-the-image-webhook-secret');
  assert.equal(forged.status, 401, forged.text);

  await session.markLoaded();
  const version3 = await buildImage(3);
  const delivered = await notifyPush(secret);
  assert.equal(delivered.status, 202, delivered.text);
  const { deploymentId } = JSON.parse(delivered.text);
  assert.match(deploymentId, /^[0-9a-f-]{36}$/);

  const row = page.getByRole('table', { name: 'Deployments' }).locator(`tr[data-deployment-id="${deploymentId}"]`);
  await row.waitFor({ timeout: DEPLOY_WAIT });
  await row.getByText('Image update').waitFor();
  await row.getByText('image webhook').waitFor();
  await row.getByText('Outcome: Succeeded').waitFor({ timeout: DEPLOY_WAIT });
  await session.assertNotReloaded();
  assert.equal(
    await page.getByRole('table', { name: 'Deployments' }).getByRole('row').filter({ hasText: 'Image update' }).count(),
    2,
  );
  await eventually(async () => (await runningImage()) === version3, { what: 'the container on version 3' });
  await session.screenshotAll('application-image-webhook');
});

step('the application is removed, and with it its container', async () => {
  const removal = await apiCall('DELETE', `/applications/${applicationId}?wait=true`, { token });
  assert.equal(removal.status, 200, JSON.stringify(removal.body));
  removed = true;
  assert.deepEqual(containersOf(applicationId), []);
});
