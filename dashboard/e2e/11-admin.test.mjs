// Administration, as an admin and a colleague live it: the admin adds a user in the Users page,
// the colleague signs in and sees no administration; the admin resets the colleague's password,
// which signs them out; signing in with it leads to the forced password change page, and after
// it to the applications. The audit log shows each change with the admin as actor and no
// password; the system page shows what runs.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { ADMIN, adminToken, ORCA_URL, Session, step } from './support.mjs';

let admin;
let colleague;
const suffix = randomUUID().slice(0, 8);
const person = { name: `Cole League ${suffix}`, email: `cole-${suffix}@example.com` };
const firstPassword = `First-Pass-${suffix}-9`;
const resetPassword = `Reset-Pass-${suffix}-7`;
const ownPassword = `Own-Choice-${suffix}-5`;

before(async () => {
  admin = await Session.open();
  colleague = await Session.open();
});

after(async () => {
  await admin?.close();
  await colleague?.close();
});

step('an admin adds a user from the Users page', async () => {
  const { page } = admin;
  await admin.signIn();
  await page.waitForURL('**/applications');
  const administration = page.getByRole('group', { name: 'Administration' });
  await administration.getByRole('link', { name: 'Users' }).click();
  await page.waitForURL('**/admin/users');
  const table = page.getByRole('table', { name: 'Users' });
  await table.getByRole('row').filter({ hasText: ADMIN.email }).getByText('you').waitFor();

  await page.getByRole('button', { name: 'Add user' }).click();
  const form = page.getByRole('form', { name: 'Add user' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill(person.name);
  await form.getByRole('textbox', { name: 'Email', exact: true }).fill(person.email);
  await form.getByRole('textbox', { name: 'Password', exact: true }).fill('too-short');
  await form.getByRole('button', { name: 'Add user' }).click();
  await form.getByText('Use at least 12 characters').waitFor();
  await form.getByRole('textbox', { name: 'Password', exact: true }).fill(firstPassword);
  await admin.screenshot('admin-add-user');
  await form.getByRole('button', { name: 'Add user' }).click();
  await page.getByText(`${person.name} can now sign in as ${person.email}.`).waitFor();
  const row = table.getByRole('row').filter({ hasText: person.email });
  await row.getByText('user', { exact: true }).waitFor();
  await admin.screenshotAll('admin-users');
});

step('the colleague signs in and sees no administration', async () => {
  const { page } = colleague;
  await colleague.signIn(person.email, firstPassword);
  await page.waitForURL('**/applications');
  assert.equal(await page.getByRole('group', { name: 'Administration' }).count(), 0, 'no admin links for a user');
  colleague.expectFailure(/HTTP 403: GET .*\/api\/v1\/admin\/users/);
  await page.goto('/admin/users');
  await page.getByRole('alert').filter({ hasText: 'Administrators only' }).waitFor();
  colleague.expectNoFailures();
});

step('a password reset by the admin signs the colleague out and must be replaced', async () => {
  const { page } = admin;
  const row = page.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: person.email });
  await row.getByRole('button', { name: `Edit ${person.email}` }).click();
  const form = page.getByRole('form', { name: 'Edit user' });
  await form.getByRole('textbox', { name: 'New password', exact: true }).fill(resetPassword);
  await form.getByText('will be signed out everywhere and asked to choose a new password').waitFor();
  await form.getByRole('button', { name: 'Save' }).click();
  await page.getByText(`${person.name} must choose a new password at the next sign-in.`).waitFor();
  await row.getByText('must change password').waitFor();

  // The colleague's session is over: the next request answers 401 and the dashboard asks them to sign in.
  const other = colleague.page;
  // (the ended session's requests answer 401, in the log and the console, until the new sign-in)
  colleague.expectFailure(/401/);
  await other.goto('/repositories');
  await other.waitForURL('**/login**');
  await colleague.signIn(person.email, resetPassword);
  await other.waitForURL('**/change-password**');
  colleague.expectNoFailures();
  const change = other.getByRole('form', { name: 'Choose a new password' });
  await change.getByRole('textbox', { name: 'Current password', exact: true }).fill(resetPassword);
  await change.getByRole('textbox', { name: 'New password', exact: true }).fill(resetPassword);
  await change.getByRole('textbox', { name: 'Confirm new password', exact: true }).fill(resetPassword);
  await change.getByRole('button', { name: 'Change password' }).click();
  await change.getByText('Choose a password of your own').waitFor();
  await change.getByRole('textbox', { name: 'New password', exact: true }).fill(ownPassword);
  await change.getByRole('textbox', { name: 'Confirm new password', exact: true }).fill(ownPassword);
  await colleague.screenshot('forced-password-change');
  await change.getByRole('button', { name: 'Change password' }).click();
  await other.waitForURL('**/applications');
});

step('the audit log names each change and its actor, without a password', async () => {
  const { page } = admin;
  await page.getByRole('group', { name: 'Administration' }).getByRole('link', { name: 'Audit log' }).click();
  await page.waitForURL('**/admin/audit-log');
  const log = page.getByRole('table', { name: 'Audit log' });
  await log.getByRole('row').filter({ hasText: 'user.create' }).first().waitFor();
  await page.getByRole('search', { name: 'Filter the audit log' }).getByLabel('Action').fill('user.update');
  const updates = log.getByRole('row').filter({ hasText: 'user.update' });
  await log.getByRole('row').filter({ hasText: 'user.create' }).first().waitFor({ state: 'detached' });
  await updates.first().waitFor();
  assert.match(await updates.first().textContent(), new RegExp(ADMIN.email.replace('.', '\\.')));
  assert.match(await updates.first().textContent(), /"password": "\*\*\*"/);
  const html = await page.content();
  for (const secret of [firstPassword, resetPassword, ownPassword]) {
    assert.ok(!html.includes(secret), 'no password is in the audit log page');
  }
  await admin.screenshotAll('admin-audit-log');
});

step('the system page shows what runs, and how much it holds', async () => {
  const { page } = admin;
  await page.getByRole('group', { name: 'Administration' }).getByRole('link', { name: 'System' }).click();
  await page.waitForURL('**/admin/system');
  const runtime = page.getByRole('table', { name: 'Runtime' });
  await runtime.getByText('PostgreSQL').waitFor();
  await page.getByRole('table', { name: 'Configuration' }).getByText('Session idle timeout').waitFor();
  await page.getByRole('table', { name: 'Encryption keys' })
    .getByText('none: every stored secret uses the current key').waitFor();
  // What /api/v1/health says, part by part: here every part of ./orca up runs.
  const health = page.getByRole('table', { name: 'Health' });
  for (const part of ['PostgreSQL', 'Kafka', 'Projector (results into the database)', 'Outbox relay (configuration to Kafka)']) {
    await health.getByRole('row', { name: new RegExp(`^${part.replace(/[()]/g, '\\$&')}`) }).getByText('Up').waitFor();
  }
  await page.getByText('All up').waitFor();
  // Where Prometheus scrapes, with which credential; and the endpoint answers an admin's token.
  const metrics = page.getByLabel('Prometheus metrics');
  await metrics.getByText('ORCA_METRICS_TOKEN').first().waitFor();
  const scraped = await fetch(`${ORCA_URL}/metrics`, { headers: { Authorization: `Bearer ${await adminToken()}` } });
  assert.equal(scraped.status, 200);
  assert.match(await scraped.text(), /^orca_agents\{/m);
  assert.equal((await fetch(`${ORCA_URL}/metrics`)).status, 401, 'never public');
  assert.match(await page.getByText(/^\d+$/).first().textContent(), /^\d+$/);
  await admin.screenshotAll('admin-system');
});
