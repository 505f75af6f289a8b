// Signing in with the organisation's OpenID provider, as people do: an admin adds the provider
// in the admin pages; a colleague then finds "Sign in with Company SSO" on the sign-in page, signs
// in at the provider's own form and comes back signed in (an account made for their domain, admin
// by their group). A sign-in whose ID token has expired comes back to the sign-in page saying so.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { OIDC_CLIENT_SECRET, OIDC_PROVIDER, ORCA_URL, Session, step } from './support.mjs';

let admin;
const providerName = 'Company SSO';

before(async () => {
  assert.ok(OIDC_PROVIDER, 'E2E_OIDC_PROVIDER names the OpenID provider');
  admin = await Session.open();
});

after(async () => {
  await admin?.close();
});

/** A fresh browser that signs in with the provider as `person`; returns the session, on Orca again. */
async function signInWithProvider(person, password) {
  const session = await Session.open();
  const { page } = session;
  // The provider's own pages are not Orca's: what they load is their business.
  session.expectFailure(new RegExp(OIDC_PROVIDER.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  await page.goto('/login');
  await page.getByRole('group', { name: 'Sign in with your organisation' })
    .getByRole('link', { name: `Sign in with ${providerName}` }).click();
  await page.waitForURL(`${OIDC_PROVIDER}/**`);
  await page.getByLabel('Username').fill(person);
  await page.getByLabel('Password').fill(password);
  await session.screenshot(`oidc-provider-form-${person}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${ORCA_URL}/**`);
  return session;
}

step('an admin adds the organisation\'s OpenID provider', async () => {
  const { page } = admin;
  await admin.signIn();
  await page.waitForURL('**/applications');
  await page.getByRole('group', { name: 'Administration' }).getByRole('link', { name: 'Sign-in providers' }).click();
  await page.waitForURL('**/admin/sign-in');
  await page.getByText('No sign-in providers').waitFor();
  await page.getByRole('button', { name: 'Add provider' }).click();
  const form = page.getByRole('form', { name: 'Add sign-in provider' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill(providerName);
  await form.getByRole('textbox', { name: 'Issuer', exact: true }).fill('http://127.0.0.1:1');
  await form.getByRole('textbox', { name: 'Client id', exact: true }).fill('orca');
  await form.getByRole('textbox', { name: 'Client secret', exact: true }).fill(OIDC_CLIENT_SECRET);
  admin.expectFailure(/400.*\/api\/v1\/admin\/oidc-providers/);
  await form.getByRole('button', { name: 'Add provider' }).click();
  await form.getByText(/issuer: cannot read the provider's discovery document/).waitFor();
  await form.getByRole('textbox', { name: 'Issuer', exact: true }).fill(OIDC_PROVIDER);
  await form.getByLabel('Allowed email domains').fill('example.com');
  await form.getByLabel('Allowed email domains').press('Enter');
  await form.getByLabel('Admin groups').fill('orca-admins');
  await form.getByLabel('Admin groups').press('Enter');
  await admin.screenshot('admin-add-oidc-provider');
  await form.getByRole('button', { name: 'Add provider' }).click();
  await page.getByText(`People can now sign in with ${providerName}.`).waitFor();
  admin.expectNoFailures();
  const row = page.getByRole('table', { name: 'Sign-in providers' }).getByRole('row').filter({ hasText: providerName });
  await row.getByText(`${ORCA_URL}/api/v1/auth/oidc/callback`).waitFor();
  await row.getByText('domains example.com').waitFor();
  assert.ok(!(await page.content()).includes(OIDC_CLIENT_SECRET), 'the client secret is not on the page');
  await admin.screenshotAll('admin-oidc-providers');
});

step('a colleague signs in with the provider and comes back signed in, admin by their group', async () => {
  const session = await signInWithProvider('olivia', 'Olivia-Pass-1');
  try {
    const { page } = session;
    await page.waitForURL('**/applications');
    await page.getByRole('group', { name: 'Administration' }).waitFor();
    await page.goto('/profile');
    await page.getByRole('textbox', { name: 'Email' }).and(page.locator('[value="olivia@example.com"]')).waitFor();
    await page.getByText('Role: admin').waitFor();
    await session.screenshot('oidc-signed-in');
  } finally {
    await session.close();
  }
});

step('a sign-in whose ID token has expired comes back to the sign-in page, saying so', async () => {
  const session = await signInWithProvider('oscar', 'Oscar-Pass-1');
  try {
    const { page } = session;
    await page.waitForURL('**/login?error=**');
    await page.getByRole('alert').filter({ hasText: 'Sign-in failed' })
      .getByText("the provider's ID token is not valid: it has expired").waitFor();
    await session.screenshot('oidc-expired');
  } finally {
    await session.close();
  }
});

step('the audit log shows the provider sign-in', async () => {
  const { page } = admin;
  await page.getByRole('group', { name: 'Administration' }).getByRole('link', { name: 'Audit log' }).click();
  const rows = page.getByRole('table', { name: 'Audit log' }).getByRole('row');
  await rows.filter({ hasText: 'user.login-oidc' }).filter({ hasText: 'olivia@example.com' }).first().waitFor();
  await rows.filter({ hasText: 'oidc-provider.create' }).first().waitFor();
});
