// An application whose agent never came online, as an admin meets it: deleting it on its page
// answers that the agent cannot act; the dialog then offers to delete it from Orca anyway, which
// takes it off the list at once, after which its agent can be deleted too, on the agents page.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { adminToken, apiCall, createApplication, Session, step } from './support.mjs';

let session;
let page;
let token;
let agentId;
let applicationId;
const suffix = randomUUID().slice(0, 8);
const name = `stranded-${suffix}`;

before(async () => {
  session = await Session.open();
  page = session.page;
});

after(async () => {
  await session?.close();
});

step('deleting an application on an agent that never came online fails, and says why', async () => {
  token = await adminToken();
  const agent = await apiCall('POST', '/agents', { token, body: { name: `never-online-${suffix}` } });
  assert.equal(agent.status, 201, JSON.stringify(agent.body));
  agentId = agent.body.id;
  applicationId = await createApplication(token, {
    repository: `stranded-${suffix}`, name, path: `stranded-${suffix}/compose.yaml`, agentId,
  });

  await session.signIn();
  await page.waitForURL('**/applications');
  await page.goto(`/applications/${applicationId}`);
  await page.getByRole('heading', { name }).waitFor();
  session.expectFailure(/409.*\/applications\/.*wait=true/);
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Delete ${name}?` });
  await dialog.getByRole('button', { name: 'Delete application' }).click();
  const failure = dialog.getByRole('alert');
  await failure.getByText('The agent cannot act now').waitFor();
  await failure.getByText(/is offline/).waitFor();
  session.expectNoFailures();
});

step('the admin deletes it from Orca anyway, and its agent can then be deleted', async () => {
  const dialog = page.getByRole('dialog', { name: `Delete ${name}?` });
  await dialog.getByRole('button', { name: 'Delete from Orca anyway' }).click();
  await page.waitForURL('**/applications');
  await page.getByText(/removes the stack if it comes back/).waitFor();
  // Searched for by its (unique) name, the list has nothing to show.
  await page.getByRole('textbox', { name: 'Search' }).fill(name);
  await page.getByText('No application matches these filters.').waitFor();
  assert.equal(await page.getByRole('link', { name, exact: true }).count(), 0);

  const gone = await apiCall('GET', `/applications/${applicationId}`, { token });
  assert.equal(gone.status, 404);
  await session.screenshotAll('application-forced-removal');

  // The agent, deleted on the agents page as an admin would.
  const agentName = `never-online-${suffix}`;
  await page.getByRole('link', { name: 'Agents' }).click();
  await page.getByRole('button', { name: `Delete agent ${agentName}` }).click();
  const confirm = page.getByRole('dialog', { name: `Delete agent ${agentName}?` });
  await confirm.getByText('Its credential stops working at once').waitFor();
  await confirm.getByRole('button', { name: 'Delete agent' }).click();
  // Deleted, or refused with the reason in the dialog: a refusal fails at once, saying why.
  const deleted = page.getByText(`Agent ${agentName} was deleted.`);
  await deleted.or(confirm.getByRole('alert')).first().waitFor();
  if (!(await deleted.isVisible())) {
    assert.fail(`deleting the agent was refused: ${await confirm.getByRole('alert').textContent()}`);
  }
  await page.locator('tr', { hasText: agentName }).waitFor({ state: 'detached' });
  const agentGone = await apiCall('GET', `/agents/${agentId}`, { token });
  assert.equal(agentGone.status, 404);
});
