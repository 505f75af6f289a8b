// A stack that asks too much of its host, as a person sees it: an application whose compose file
// wants privileged mode and the host's /etc is deployed on the local agent, and the application
// page says the agent refused it, naming the service and each rule, before anything ran. An admin
// then allows host mounts for this application on its page: the next deployment is refused for
// privileged mode alone, and once the stack drops it, it runs with the host's /etc mounted.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { adminToken, apiCall, commitFile, containersOf, createApplication, DEPLOY_WAIT, docker, eventually, Session, step } from './support.mjs';

let session;
let page;
let applicationId;
let path;

before(async () => {
  session = await Session.open();
  page = session.page;
});

after(async () => {
  await session?.close();
});

step('a privileged stack with a host mount is refused by the agent, and the page says why', async () => {
  const token = await adminToken();
  const suffix = randomUUID().slice(0, 8);
  path = `policy-${suffix}/compose.yaml`;
  commitFile(path, [
    'services:',
    '  root:',
    '    image: orca-test/busybox:1',
    '    command: ["sleep", "3600"]',
    '    privileged: true',
    '    volumes:',
    '      - /etc:/host-etc',
    '',
  ].join('\n'), 'a stack that wants the host');
  applicationId = await createApplication(token, { repository: `policy-${suffix}`, name: `greedy-${suffix}`, path });

  await session.signIn();
  await page.waitForURL('**/applications');
  await page.goto(`/applications/${applicationId}`);
  const error = page.getByTestId('last-error');
  await error.waitFor({ timeout: DEPLOY_WAIT });
  const text = await error.textContent();
  assert.match(text, /refused by the agent's policy: service 'root' asks for privileged mode \(rule: privileged\)/);
  assert.match(text, /service 'root' mounts \/etc from the host, outside the application's directory/);
  await page.getByText('Sync: Out of sync').waitFor();
  await eventually(async () => {
    const deployments = await apiCall('GET', `/applications/${applicationId}/deployments`, { token });
    return deployments.status === 200 && deployments.body.some?.((d) => d.state === 'failed');
  }, { what: 'the refused deployment in the history' });
  await session.screenshotAll('application-refused-by-policy');
});

step('an admin allows host mounts for this application on its page: now only privileged mode is refused', async () => {
  await page.getByRole('button', { name: 'Change settings' }).click();
  const form = page.getByRole('form', { name: 'Deploy settings' });
  await form.getByRole('checkbox', { name: 'Host mounts' }).check();
  await form.getByRole('switch', { name: 'Self-heal' }).check();
  await form.getByRole('textbox', { name: 'Readiness timeout (seconds)' }).fill('60');
  await form.getByRole('button', { name: 'Save settings' }).click();

  const settings = page.getByTestId('deploy-settings');
  await settings.getByRole('listitem').filter({ hasText: 'Host mounts' }).waitFor();
  await settings.getByText('60 s').waitFor();
  await settings.getByText('On: drift is repaired by redeploying').waitFor();
  assert.equal(await settings.getByRole('listitem').count(), 1);

  // The settings reach the agent with a new deployment, which the policy refuses for one rule only.
  const error = page.getByTestId('last-error');
  await eventually(async () => {
    const text = await error.textContent();
    return /asks for privileged mode \(rule: privileged\)/.test(text) && !/mounts \/etc from the host/.test(text);
  }, { timeout: DEPLOY_WAIT, what: 'a refusal that no longer names the host mount' });

  // What was saved is what the page shows after a reload, and what the API answers.
  await page.reload();
  await page.getByTestId('deploy-settings').getByText('60 s').waitFor();
  const token = await adminToken();
  const saved = await apiCall('GET', `/applications/${applicationId}`, { token });
  assert.deepEqual(
    { selfHeal: saved.body.selfHeal, readiness: saved.body.readinessTimeoutSeconds, rules: saved.body.allowedPolicyRules },
    { selfHeal: true, readiness: 60, rules: ['host-mounts'] },
  );
});

step('without privileged mode the stack runs, with the host mount it was allowed', async () => {
  commitFile(path, [
    'services:',
    '  root:',
    '    image: orca-test/busybox:1',
    '    command: ["sleep", "3600"]',
    '    stop_grace_period: 1s',
    '    volumes:',
    '      - /etc:/host-etc:ro',
    '',
  ].join('\n'), 'no privileged mode');
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  await page.getByText('Sync: Synced').waitFor({ timeout: DEPLOY_WAIT });
  await page.getByTestId('last-error').waitFor({ state: 'detached' });
  const [container] = await eventually(() => {
    const ids = containersOf(applicationId);
    return ids.length ? ids : null;
  }, { what: "the application's container" });
  const mounted = await docker('exec', container, 'cat', '/host-etc/hostname');
  assert.equal(mounted, readFileSync('/etc/hostname', 'utf8').trim());
  await session.screenshotAll('application-policy-exception');
});

step('the stack is removed again', async () => {
  const token = await adminToken();
  const removed = await apiCall('DELETE', `/applications/${applicationId}?wait=true`, { token });
  assert.equal(removed.status, 200, JSON.stringify(removed.body));
  assert.deepEqual(containersOf(applicationId), []);
});
