// Notifications, as someone who wants to hear about their deployments sets them up: on the
// Notifications page they add a webhook channel (a receiver this test runs on loopback), send a
// test message, and then hear, signed, about a real deployment; the page says how the last message
// went, live, and the channel's log lists what was sent. A receiver that refuses is named as such.
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before } from 'node:test';
import { adminToken, apiCall, commitFile, composeFile, createApplication, DEPLOY_WAIT, eventually, Session, step } from './support.mjs';

let session;
let page;
let token;
let applicationId;
let server;
let refuse = false;
const received = [];
const suffix = randomUUID().slice(0, 8);
const channelName = `ops-${suffix}`;
const secret = `signing-${randomUUID()}`;

before(async () => {
  server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ headers: request.headers, body, json: JSON.parse(body.toString('utf8')) });
      response.writeHead(refuse ? 500 : 200, { 'Content-Type': 'text/plain' });
      response.end(refuse ? 'receiver says no' : 'ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  session = await Session.open();
  page = session.page;
});

after(async () => {
  if (token) {
    // A channel left behind would hear later tests' events and retry against a closed port.
    const channels = await apiCall('GET', '/notifications', { token }).catch(() => ({ body: [] }));
    for (const channel of channels.body ?? []) {
      if (channel.name === channelName) {
        await apiCall('DELETE', `/notifications/${channel.id}`, { token }).catch(() => undefined);
      }
    }
  }
  if (applicationId && token) {
    await apiCall('DELETE', `/applications/${applicationId}?wait=true`, { token }).catch(() => undefined);
  }
  await session?.close();
  await new Promise((resolve) => server.close(resolve));
});

const hookUrl = () => `http://127.0.0.1:${server.address().port}/orca-hook`;

function signed(message) {
  const expected = `sha256=${createHmac('sha256', secret).update(message.body).digest('hex')}`;
  return message.headers['x-orca-signature-256'] === expected;
}

step('a webhook channel added on the Notifications page takes a signed test message', async () => {
  token = await adminToken();
  await session.signIn();
  await page.waitForURL('**/applications');
  await page.getByRole('link', { name: 'Notifications' }).click();
  await page.getByRole('heading', { name: 'Notifications' }).waitFor();
  await page.getByRole('button', { name: 'Add channel' }).first().click();
  const form = page.getByRole('form', { name: 'Add notification channel' });
  await form.getByLabel('Name').fill(channelName);
  await form.getByRole('textbox', { name: 'URL' }).fill(hookUrl());
  await form.getByLabel('Signing secret').fill(secret);
  await form.getByLabel('Deployment succeeded (once per commit)').check();
  await session.screenshot('notification-channel-form');
  await form.getByRole('button', { name: 'Add channel' }).click();
  await form.waitFor({ state: 'hidden' });

  const row = page.getByRole('table', { name: 'Notification channels' }).locator(`tr[data-channel-name="${channelName}"]`);
  await row.waitFor();
  assert.ok(!(await page.content()).includes(secret), 'the secret is nowhere in the page');
  await row.getByRole('button', { name: `Send a test message to ${channelName}` }).click();
  await page.getByText(`${channelName} received the test message.`).waitFor();
  const test = await eventually(() => received.find((m) => m.json.event === 'test'), { what: 'the test message at the receiver' });
  assert.ok(signed(test), 'signed with the channel secret');
  await row.getByTestId('last-delivery').getByText('sent').waitFor();
});

step('a deployment is told to the channel, and its log lists the message', async () => {
  const path = `notify-${suffix}/compose.yaml`;
  commitFile(path, composeFile(`notify-${suffix}`), 'a stack to hear about');
  applicationId = await createApplication(token, { repository: `notify-${suffix}`, name: `heard-${suffix}`, path });
  const message = await eventually(() => received.find((m) => m.json.event === 'deployment_succeeded'
    && m.json.application?.id === applicationId), { timeout: DEPLOY_WAIT, what: 'deployment_succeeded at the receiver' });
  assert.equal(message.json.application.name, `heard-${suffix}`);
  assert.equal(message.json.deployment.outcome, 'succeeded');
  assert.equal(message.headers['x-orca-event'], 'deployment_succeeded');
  assert.ok(signed(message), 'signed with the channel secret');

  const row = page.locator(`tr[data-channel-name="${channelName}"]`);
  await row.getByRole('button', { name: `Messages sent to ${channelName}` }).click();
  const log = page.getByRole('dialog', { name: `Messages to ${channelName}` });
  await log.getByRole('table', { name: 'Messages' }).getByText('Deployment succeeded (once per commit)').first().waitFor();
  await session.screenshot('notification-log');
  await page.keyboard.press('Escape');
  await log.waitFor({ state: 'hidden' });
});

step('a receiver that refuses is named, on the page and in the notice', async () => {
  refuse = true;
  // The test's 502 answer (and the browser's console line about it) are what this step is about.
  session.expectFailure(/502.*\/notifications\/.*\/test/);
  const row = page.locator(`tr[data-channel-name="${channelName}"]`);
  await row.getByRole('button', { name: `Send a test message to ${channelName}` }).click();
  await page.getByText(`${channelName} did not take the test message`).waitFor();
  await row.getByTestId('last-delivery').getByText('failed').waitFor();
  await row.getByTestId('last-delivery').getByText(/the receiver answered 500: receiver says no/).waitFor();
  refuse = false;
  await session.screenshotAll('notifications');
  session.expectNoFailures();
});
