// The API reference, as someone writing a script against Orca uses it: opened from the menu,
// searched, each operation saying who may call it. It is rendered from the gateway's own OpenAPI
// description, which the gateway's tests hold to the routes that answer.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { Session, step } from './support.mjs';

let session;

before(async () => {
  session = await Session.open();
});

after(async () => {
  await session?.close();
});

step('the API reference lists every route, and says who may call each', async () => {
  const { page } = session;
  await session.signIn();
  await page.waitForURL('**/applications');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API reference' }).click();
  await page.waitForURL('**/api-reference');
  await page.getByRole('heading', { name: 'API reference' }).waitFor();
  const count = page.getByText(/^\d+ operations · OpenAPI 3\./);
  await count.waitFor();
  assert.ok(Number((await count.textContent()).split(' ')[0]) > 40, await count.textContent());

  const search = page.getByRole('textbox', { name: 'Filter operations' });
  await search.fill('/deploy');
  const deploy = page.getByRole('region', { name: 'POST /api/v1/applications/{id}/deploy' });
  await deploy.waitFor();
  await deploy.getByText('Signed in', { exact: true }).waitFor();
  await deploy.getByText('id', { exact: true }).waitFor();

  await search.fill('/admin/users');
  await page.getByRole('region', { name: 'DELETE /api/v1/admin/users/{id}' }).getByText('Admins', { exact: true }).waitFor();

  await search.fill('/health');
  await page.getByRole('region', { name: 'GET /api/v1/health' }).getByText('Public', { exact: true }).waitFor();
  await session.screenshotAll('api-reference');
});
