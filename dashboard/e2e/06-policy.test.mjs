// A stack that asks too much of its host, as a person sees it: an application whose compose file
// wants privileged mode and the host's /etc is deployed on the local agent, and the application
// page says the agent refused it, naming the service and each rule, before anything ran.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { adminToken, apiCall, commitFile, DEPLOY_WAIT, eventually, GIT_URL, Session, step } from './support.mjs';

let session;
let page;
let applicationId;

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
  const path = `policy-${suffix}/compose.yaml`;
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
  const agents = await apiCall('GET', '/agents', { token });
  const online = agents.body.find((agent) => agent.status === 'online');
  assert.ok(online, `an online agent: ${JSON.stringify(agents.body)}`);
  const repository = await apiCall('POST', '/repositories', {
    token,
    body: { name: `policy-${suffix}`, url: GIT_URL, syncType: 'manual' },
  });
  assert.equal(repository.status, 201, JSON.stringify(repository.body));
  const application = await apiCall('POST', '/applications', {
    token,
    body: { name: `greedy-${suffix}`, repositoryId: repository.body.id, agentId: online.id, branch: 'main', path },
  });
  assert.equal(application.status, 201, JSON.stringify(application.body));
  applicationId = application.body.id;

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
