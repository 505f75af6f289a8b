// Environment variables, as a person sets them: on the application's page they enter two
// variables in the Environment form and save; the page then lists the two names and holds
// neither value anywhere. A deployment gives the running container the value, which proves the
// local agent opens what the gateway sealed for it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { adminToken, apiCall, commitFile, createApplication, DEPLOY_WAIT, docker, eventually, Session, step } from './support.mjs';

let session;
let page;
let token;
let applicationId;
const greeting = `hello from the browser ${randomUUID().slice(0, 8)}`;
const password = `s3cret-${randomUUID()}`;

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


/** What GREETING is inside the application's running container, or null while none runs. */
async function greetingInContainer() {
  const running = await docker('ps', '-q', '--filter', `label=orca-cd.application-id=${applicationId}`);
  if (!running) return null;
  return docker('exec', running.split(/\s+/)[0], 'sh', '-c', 'echo "$GREETING"');
}

step('two variables set through the form are listed by name, and no value is on the page', async () => {
  token = await adminToken();
  const suffix = randomUUID().slice(0, 8);
  const path = `environment-${suffix}/compose.yaml`;
  commitFile(path, [
    'services:',
    '  web:',
    '    image: orca-test/busybox:1',
    '    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]',
    '    stop_grace_period: 1s',
    '    environment:',
    '      GREETING: ${GREETING:-unset}',
    '',
  ].join('\n'), 'a stack that greets from its environment');
  applicationId = await createApplication(token, { repository: `environment-${suffix}`, name: `greeter-${suffix}`, path });

  await session.signIn();
  await page.waitForURL('**/applications');
  await page.goto(`/applications/${applicationId}`);
  const section = page.getByRole('region', { name: 'Environment' });
  await section.getByText('No environment variables.').waitFor();
  await section.getByRole('button', { name: 'Set variables' }).click();
  await section.getByText('Saving replaces all variables; enter every value again').waitFor();
  await section.getByLabel('Name 1').fill('GREETING');
  await section.getByLabel('Value 1').fill(greeting);
  await section.getByRole('button', { name: 'Add variable' }).click();
  await section.getByLabel('Name 2').fill('DB_PASSWORD');
  await section.getByLabel('Value 2').fill(password);
  await session.screenshot('application-environment-form');
  await section.getByRole('button', { name: 'Save variables' }).click();

  const list = section.getByRole('list', { name: 'Environment variables' });
  await list.getByRole('listitem').filter({ hasText: 'DB_PASSWORD' }).waitFor();
  assert.deepEqual(await list.getByRole('listitem').allTextContents(), ['DB_PASSWORD', 'GREETING']);
  assert.equal(await section.getByLabel('Value 1').count(), 0, 'the form is gone once saved');
  const html = await page.content();
  assert.ok(!html.includes(password), 'the password is nowhere in the page');
  assert.ok(!html.includes(greeting), 'the greeting is nowhere in the page');
  const names = await apiCall('GET', `/applications/${applicationId}/environment`, { token });
  assert.deepEqual(names.body, { names: ['DB_PASSWORD', 'GREETING'] });
  await session.screenshotAll('application-environment');
});

step('a deployment gives the running container the value', async () => {
  await eventually(async () => (await apiCall('GET', `/applications/${applicationId}`, { token })).body.syncStatus !== 'syncing'
    && (await greetingInContainer()) !== null, { timeout: DEPLOY_WAIT, what: 'the first deployment' });
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  await eventually(async () => (await greetingInContainer()) === greeting, {
    timeout: DEPLOY_WAIT,
    what: 'GREETING in the container',
  });
  const html = await page.content();
  assert.ok(!html.includes(password), 'the password is nowhere in the page after the deployment');
});
