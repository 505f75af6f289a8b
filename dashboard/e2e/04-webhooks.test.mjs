// A git server's push, end to end: a repository set up for GitHub webhooks through its form
// (Test connection first, a generated secret shown once with the URL and where to paste both),
// an application made with the branch and compose file pickers, a signed push delivered the way
// GitHub delivers it deploying the pushed commit, the repository page naming that trigger live,
// a late delivery of an older push that deploys nothing and says why, and then the same
// repository deployed from a GitHub Actions run with its OIDC token (a pull request's refused).
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before } from 'node:test';
import {
  adminToken,
  apiCall,
  commitFile,
  composeFile,
  DEPLOY_WAIT,
  eventually,
  GIT_URL,
  OIDC_URL,
  ORCA_URL,
  PUBLIC_URL,
  Session,
  step,
} from './support.mjs';

/** GitHub's push payload, kept with the gateway's webhook tests. */
const GITHUB_PUSH = readFileSync(new URL('../../api-gateway/src/test/resources/webhooks/github-push.json', import.meta.url), 'utf8');

let session;
let page;
let repositoryId;
let url;
let secret;
let applicationId;
let first;
let second;

before(async () => {
  session = await Session.open();
  page = session.page;
});

after(async () => {
  await session?.close();
});

/** Delivers a push of `commit` to main as GitHub does: its headers, its payload, signed with the secret. */
async function deliverGitHubPush(commit, { event = 'push', signWith = secret } = {}) {
  const delivery = randomUUID();
  const body = GITHUB_PUSH.replaceAll('${COMMIT}', commit).replaceAll('${DELIVERY}', delivery);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'GitHub-Hookshot/a3c3b57',
      'X-GitHub-Delivery': delivery,
      'X-GitHub-Event': event,
      'X-Hub-Signature-256': `sha256=${createHmac('sha256', signWith).update(body).digest('hex')}`,
    },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, text: await response.text(), result: response.headers.get('x-orca-webhook') };
}

step('Test connection in the repository form says whether the remote answers, and why not', async () => {
  await session.signIn();
  await page.waitForURL('**/applications');
  await page.goto('/repositories/new');
  await page.getByLabel('URL').fill(`${GIT_URL}-missing`);
  await page.getByRole('button', { name: 'Test connection' }).click();
  const result = page.getByTestId('connection-result');
  await result.getByText('Cannot connect').waitFor();
  assert.match(await result.textContent(), /cannot list the branches of .*-missing: /);
  await page.getByLabel('URL').fill(GIT_URL);
  assert.equal(await result.count(), 0, 'a result goes when the settings change');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await result.getByText('Connected').waitFor();
  assert.match(await result.textContent(), /1 branch, default main: main/);
  await session.screenshotAll('repository-test-connection');
});

step('a repository is set up for GitHub webhooks with a generated secret', async () => {
  await page.getByLabel('Name').fill('pushed');
  await page.getByRole('combobox', { name: 'Provider' }).click();
  await page.getByRole('option', { name: 'GitHub' }).click();
  await page.getByRole('combobox', { name: 'Sync' }).click();
  await page.getByRole('option', { name: 'Webhook' }).click();
  await page.getByRole('button', { name: 'Generate a secret' }).click();
  const typed = await page.getByLabel('Webhook secret').inputValue();
  assert.match(typed, /^[0-9a-f]{64}$/);
  await page.getByRole('button', { name: 'Add repository' }).click();
  await page.waitForURL(/\/repositories\/[0-9a-f-]{36}$/);
  repositoryId = page.url().split('/').pop();

  const setup = page.getByRole('region', { name: 'Set up the webhook in GitHub' });
  await setup.waitFor();
  // The page shows the address on Orca's public URL; the test posts to the same path where it reaches Orca.
  const shown = (await setup.getByTestId('webhook-url').textContent()).trim();
  assert.equal(shown, `${PUBLIC_URL}/api/v1/webhooks/repositories/${repositoryId}`);
  url = `${ORCA_URL}${new URL(shown).pathname}`;
  secret = (await setup.getByTestId('webhook-secret').textContent()).trim();
  assert.equal(secret, typed, 'the secret shown once is the one saved');
  await setup.getByText('Settings → Webhooks → Add webhook').waitFor();
  await setup.getByRole('table', { name: 'GitHub webhook settings' }).getByText('application/json').waitFor();
  await session.screenshotAll('repository-webhook');

  // Shown once: after a reload the page has the set-up but no longer the secret.
  await page.reload();
  await setup.waitFor();
  assert.equal(await setup.getByTestId('webhook-secret').count(), 0);
  await setup.getByText('stored encrypted and never shown').waitFor();
});

step('a GitHub ping is answered and deploys nothing; a wrong signature is refused', async () => {
  const ping = await deliverGitHubPush('0'.repeat(40), { event: 'ping' });
  assert.equal(ping.status, 204);
  assert.equal(ping.result, 'ignored: event ping is not a push');
  const forged = await deliverGitHubPush('0'.repeat(40), { signWith: 'not-the-secret' });
  assert.equal(forged.status, 401);
  assert.match(forged.text, /X-Hub-Signature-256 is missing or does not match/);
});

step('a signed push deploys the pushed commit, and the repository page names the webhook, live', async () => {
  first = commitFile('hooked/compose.yaml', composeFile('hooked-one'), 'hooked: first');
  await page.goto(`/applications/new?repositoryId=${repositoryId}`);
  await page.getByLabel('Name').fill('hooked');
  // The branch picker lists the repository's branches; the path picker the compose files of main.
  const branch = page.getByRole('combobox', { name: 'Branch' });
  await branch.fill('');
  await branch.click();
  await page.getByRole('option', { name: 'main', exact: true }).click();
  const path = page.getByRole('combobox', { name: 'Compose file path' });
  await path.fill('hooked');
  await page.getByRole('option', { name: 'hooked/compose.yaml' }).click();
  assert.equal(await path.inputValue(), 'hooked/compose.yaml');
  await page.getByRole('combobox', { name: 'Agent' }).click();
  // The local agent, the one that runs: other tests register agents of their own.
  await page.getByRole('option', { name: /^local .*\(online\)/ }).first().click();
  await session.screenshotAll('application-form-pickers');
  await page.getByRole('button', { name: 'Create application' }).click();
  await page.waitForURL(/\/applications\/[0-9a-f-]{36}$/);
  applicationId = page.url().split('/').pop();
  const token = await adminToken();
  await eventually(async () => (await apiCall('GET', `/applications/${applicationId}`, { token })).body.commit === first, {
    timeout: DEPLOY_WAIT,
    what: 'the first sync of the new application',
  });

  second = commitFile('hooked/compose.yaml', composeFile('hooked-two'), 'hooked: second');
  await page.goto(`/repositories/${repositoryId}`);
  await page.getByRole('heading', { name: 'pushed' }).waitFor();
  await session.markLoaded();
  const delivered = await deliverGitHubPush(second);
  assert.equal(delivered.status, 202, delivered.text);
  assert.match(delivered.text, /^\{"syncId":"[0-9a-f-]{36}"\}$/);
  await page.getByTestId('last-trigger').getByText('Webhook (GitHub)').waitFor({ timeout: DEPLOY_WAIT });
  await session.assertNotReloaded();

  await page.getByRole('link', { name: 'hooked' }).click();
  await page.waitForURL(`**/applications/${applicationId}`);
  await page.getByText('hooked: second').first().waitFor({ timeout: DEPLOY_WAIT });
  await page.getByText('Sync: Synced').waitFor({ timeout: DEPLOY_WAIT });
});

step('a late delivery of the older push deploys nothing and the repository page says why, live', async () => {
  await page.goto(`/repositories/${repositoryId}`);
  await page.getByRole('heading', { name: 'pushed' }).waitFor();
  await session.markLoaded();
  const late = await deliverGitHubPush(first);
  assert.equal(late.status, 202, late.text);
  const note = page.getByTestId('sync-note');
  await note.waitFor({ timeout: DEPLOY_WAIT });
  assert.match(
    await note.textContent(),
    new RegExp(`commit ${first.slice(0, 12)} is older than ${second.slice(0, 12)} of application hooked, not deployed`),
  );
  await session.assertNotReloaded();
  await session.screenshotAll('repository-webhook-note');
  const app = await apiCall('GET', `/applications/${applicationId}`, { token: await adminToken() });
  assert.equal(app.body.commit, second, 'the application stays at the newer commit');
});

/** A GitHub Actions OIDC token for a run of acme/pushed, from the issuer Orca trusts. */
async function actionsToken(sha, claims = {}) {
  const response = await fetch(`${OIDC_URL}/mint`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ audience: PUBLIC_URL, repository: 'acme/pushed', ref: 'refs/heads/main', sha, claims }),
    signal: AbortSignal.timeout(30_000),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return response.text();
}

async function runAction(token) {
  const response = await fetch(`${ORCA_URL}/api/v1/github-actions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, text: await response.text() };
}

step('GitHub Actions is allowed in the repository form, and the page shows the workflow to add', async () => {
  await page.goto(`/repositories/${repositoryId}/edit`);
  await page.getByRole('switch', { name: 'Allow deploys from GitHub Actions' }).check();
  await page.getByRole('textbox', { name: 'GitHub repository' }).fill('acme/pushed');
  await page.locator('input').and(page.getByLabel('Allowed branches')).fill('main');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.waitForURL(`**/repositories/${repositoryId}`);
  const setup = page.getByRole('region', { name: 'Deploy from GitHub Actions' });
  await setup.waitFor();
  const workflow = await setup.getByTestId('github-actions-workflow').textContent();
  assert.match(workflow, /id-token: write/);
  assert.ok(workflow.includes(`audience=${PUBLIC_URL}"`), workflow);
  assert.ok(workflow.includes(`${PUBLIC_URL}/api/v1/github-actions`), workflow);
  await setup.getByText('on main').waitFor();
  await session.screenshotAll('repository-github-actions');
});

step('a GitHub Actions run deploys the commit it ran for, live; a pull request run is refused', async () => {
  const third = commitFile('hooked/compose.yaml', composeFile('hooked-three'), 'hooked: third');
  await session.markLoaded();
  const refused = await runAction(await actionsToken(third, { event_name: 'pull_request' }));
  assert.equal(refused.status, 403, refused.text);
  assert.match(refused.text, /a pull_request run cannot deploy/);
  const run = await runAction(await actionsToken(third));
  assert.equal(run.status, 202, run.text);
  await page.getByTestId('last-trigger').getByText('GitHub Actions').waitFor({ timeout: DEPLOY_WAIT });
  await session.assertNotReloaded();
  const token = await adminToken();
  await eventually(async () => {
    const app = (await apiCall('GET', `/applications/${applicationId}`, { token })).body;
    return app.commit === third && app.syncStatus === 'synced';
  }, { timeout: DEPLOY_WAIT, what: 'the application at the commit the run was for' });
});
