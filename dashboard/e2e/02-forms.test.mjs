// The forms as a person uses them when things go wrong: a wrong password, an agent that is
// offline (409), a session that ends, and the create-application form by keyboard alone. Also
// the agents and profile pages: an agent's connection settings (at creation and after a token
// rotation) and an API token, each shown once.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { promisify } from 'node:util';
import {
  ADMIN,
  adminToken,
  AGENT_HOST_DIR,
  AGENT_JAR,
  apiCall,
  commitFile,
  OUT,
  Session,
  step,
} from './support.mjs';

let session;
let page;
let offlineAppId;
/** The settings edge-1 was created with (NAME to value), to compare with those its rotation gives. */
let firstSettings;
/** The one-paste command edge-1's token rotation showed. */
let rotatedCommand;

/** An environment file's `NAME=value` lines as an object (values are literal, never quoted). */
function agentSettings(text) {
  const settings = {};
  for (const line of text.split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) settings[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return settings;
}

before(async () => {
  session = await Session.open();
  page = session.page;
});

after(async () => {
  await session?.close();
});

step('a wrong password is refused with the reason shown', async () => {
  session.expectFailure(/401.*\/api\/v1\/auth\/(login|profile)/);
  await session.signIn(ADMIN.email, 'Wrong-Password-99');
  const alert = page.getByRole('alert').filter({ hasText: 'Sign-in failed' });
  await alert.waitFor();
  assert.match(await alert.textContent(), /invalid email or password/);
  await session.screenshotAll('login-failed');
  session.expectNoFailures();
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/applications');
});

step('a new agent shows its connection settings once, with a copy button', async () => {
  await page.getByRole('link', { name: 'Agents' }).click();
  await page.getByRole('button', { name: 'Add agent' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill('edge-1');
  await dialog.getByRole('button', { name: 'Add agent' }).click();
  await dialog.getByText('They are shown only this once').waitFor();
  const settings = await dialog.getByTestId('agent-connection').textContent();
  const first = agentSettings(settings);
  assert.match(first.ORCA_AGENT_ID ?? '', /^[0-9a-f-]{36}$/);
  assert.match(first.ORCA_AGENT_ENVIRONMENT_KEY ?? '', /^[A-Za-z0-9+/]{43}=$/);
  assert.ok('ORCA_KAFKA_BOOTSTRAP' in first, 'ORCA_KAFKA_BOOTSTRAP=');
  assert.ok(first.ORCA_KAFKA_BOOTSTRAP, 'a Kafka bootstrap address');
  assert.equal(first.ORCA_KAFKA_SECURITY_PROTOCOL, 'SASL_SSL');
  assert.equal(first.ORCA_KAFKA_USERNAME, `orca-agent-${first.ORCA_AGENT_ID}-1`);
  assert.ok(first.ORCA_KAFKA_PASSWORD, 'a Kafka password');
  assert.ok(first.ORCA_KAFKA_CA_CERT, 'the broker CA certificate');
  firstSettings = first;
  // One paste writes those settings (mode 0600) and starts the agent jar with the recommended memory settings.
  const command = await dialog.getByTestId('agent-command').textContent();
  assert.ok(command.startsWith('(umask 077 && cat > orca-agent.env)'), `the command starts: ${command.slice(0, 60)}`);
  assert.match(command, /^chmod 600 orca-agent.env \\$/m);
  assert.ok(command.includes(settings), 'the command writes the settings shown');
  assert.match(command, /^ {2}&& .* -jar orca-agent.jar --env-file orca-agent.env --check \\$/m, 'the command checks the settings');
  assert.match(command, /^ {2}&& .* -jar orca-agent.jar --env-file orca-agent.env$/m, 'then starts the agent jar with them');
  assert.match(command, /-Xmx40m -Xmn8m/);
  assert.match(await dialog.getByTestId('agent-jvm-options-hint').textContent(), /within 128 MB/);
  await dialog.getByRole('button', { name: 'Copy command' }).waitFor();
  await dialog.getByRole('button', { name: 'Copy settings' }).waitFor();
  await dialog.getByRole('button', { name: 'Download orca-agent.env' }).waitFor();
  await session.screenshotAll('agent-created');
  await dialog.getByRole('button', { name: 'Done' }).click();
  const row = page.locator('tr', { hasText: 'edge-1' });
  await row.getByText('Agent: Offline').waitFor();
  await session.screenshotAll('agents');
});

step("rotating an agent's token shows its new settings once", async () => {
  assert.ok(firstSettings, 'the settings shown when edge-1 was created');
  await page.getByRole('button', { name: 'Rotate token of edge-1' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('stops working at once').waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).waitFor();
  await dialog.getByRole('button', { name: 'Rotate token', exact: true }).click();
  await dialog.getByText('Restart the agent with these new settings').waitFor();
  await dialog.getByText('They are shown only this once').waitFor();
  const settings = await dialog.getByTestId('agent-connection').textContent();
  const rotated = agentSettings(settings);
  assert.equal(rotated.ORCA_AGENT_ID, firstSettings.ORCA_AGENT_ID);
  assert.equal(rotated.ORCA_KAFKA_USERNAME, `orca-agent-${firstSettings.ORCA_AGENT_ID}-2`);
  assert.ok(rotated.ORCA_KAFKA_USERNAME.endsWith('-2'));
  assert.ok(rotated.ORCA_KAFKA_PASSWORD, 'a Kafka password');
  assert.notEqual(rotated.ORCA_KAFKA_PASSWORD, firstSettings.ORCA_KAFKA_PASSWORD, 'a new password');
  // Environments sealed for the agent stay readable: its key does not change.
  assert.equal(rotated.ORCA_AGENT_ENVIRONMENT_KEY, firstSettings.ORCA_AGENT_ENVIRONMENT_KEY);
  const command = await dialog.getByTestId('agent-command').textContent();
  assert.ok(command.startsWith('(umask 077 && cat > orca-agent.env)'), `the command starts: ${command.slice(0, 60)}`);
  assert.match(command, /^chmod 600 orca-agent.env \\$/m);
  assert.ok(command.includes(settings), 'the command writes the new settings');
  rotatedCommand = command;
  await dialog.getByRole('button', { name: 'Copy command' }).waitFor();
  await dialog.getByRole('button', { name: 'Download orca-agent.env' }).waitFor();
  await session.screenshotAll('agent-token-rotated');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.locator('tr', { hasText: 'edge-1' }).getByText('Agent: Offline').waitFor();
});

step('the create-application form is usable by keyboard alone', async () => {
  await page.getByRole('link', { name: 'Applications' }).click();
  await page.getByRole('link', { name: 'New application' }).first().click();
  await page.waitForURL('**/applications/new');
  await page.getByRole('heading', { name: 'New application' }).waitFor();
  await page.getByRole('combobox', { name: 'Agent' }).waitFor();

  // Start in the form's first field, then walk it with Tab, noting every control reached.
  await page.getByRole('textbox', { name: 'Name' }).focus();
  const reached = [];
  for (let i = 0; i < 12; i++) {
    reached.push(
      await page.evaluate(() => {
        const el = document.activeElement;
        return el?.getAttribute('aria-label') || el?.labels?.[0]?.textContent?.replace('*', '').trim() || el?.textContent?.trim() || '';
      }),
    );
    await page.keyboard.press('Tab');
  }
  for (const control of ['Name', 'Repository', 'Add a repository', 'Branch', 'Compose file path', 'Agent', 'Cancel', 'Create application']) {
    assert.ok(reached.includes(control), `Tab never reached "${control}"; reached: ${JSON.stringify(reached)}`);
  }

  // And filled the same way: type, pick from the lists with the arrow keys, submit with Enter.
  await page.getByRole('textbox', { name: 'Name' }).focus();
  await page.keyboard.type('offline-app');
  await page.getByRole('combobox', { name: 'Compose file path' }).focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('missing/compose.yaml');
  await page.getByRole('combobox', { name: 'Agent' }).focus();
  await page.keyboard.press('ArrowDown');
  await page.getByRole('option', { name: /edge-1/ }).waitFor();
  while (!(await page.getByRole('option', { name: /edge-1/ }).getAttribute('data-combobox-selected'))) {
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
  assert.match(await page.getByRole('combobox', { name: 'Agent' }).inputValue(), /edge-1/);
  await page.getByRole('combobox', { name: 'Branch' }).focus();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/applications\/[0-9a-f-]{36}$/);
  offlineAppId = page.url().split('/').pop();
  await page.getByRole('heading', { name: 'offline-app' }).waitFor();
});

step('deploying on an offline agent shows the 409 and its reason', async () => {
  session.expectFailure(/409.*\/deploy/);
  const deploy = page.getByRole('button', { name: 'Deploy', exact: true });
  await deploy.click();
  const refusal = page.getByTestId('deploy-refusal');
  await refusal.waitFor();
  assert.match(await refusal.textContent(), /agent edge-1 is offline/);
  await session.screenshot('deploy-refused');
  session.expectNoFailures();
});

step('the deploy button is locked while a deployment runs', async () => {
  // On the running local agent, a stack whose health check is still in its start period stays in
  // progress until the deployment's deadline. (Sent to an offline agent, a deployment now fails
  // at once.)
  const token = await adminToken();
  const [agent] = (await apiCall('GET', '/agents', { token })).body.filter((a) => a.status === 'online');
  assert.ok(agent, 'an online agent');
  const [repo] = (await apiCall('GET', '/repositories', { token })).body.filter((r) => r.name === 'stacks');
  const path = `never-ready-${randomUUID().slice(0, 8)}/compose.yaml`;
  commitFile(path, [
    'services:',
    '  slow:',
    '    image: orca-test/busybox:1',
    '    command: ["sleep", "3600"]',
    '    stop_grace_period: 1s',
    '    healthcheck:',
    '      test: ["CMD", "true"]',
    '      interval: 1h',
    '      start_period: 1h',
    '',
  ].join('\n'), 'a stack that is never ready');
  const created = await apiCall('POST', '/applications', {
    token,
    body: { name: 'queued-app', repositoryId: repo.id, agentId: agent.id, branch: 'main', path },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  try {
    await page.goto(`/applications/${created.body.id}`);
    await page.getByText('Sync: Syncing').waitFor({ timeout: 60_000 });
    const locked = page.getByRole('button', { name: 'Deploying…' });
    await locked.waitFor();
    assert.equal(await locked.isDisabled(), true);
  } finally {
    await apiCall('DELETE', `/applications/${created.body.id}?wait=true`, { token });
  }
  await page.goto(`/applications/${offlineAppId}`);
  await page.getByRole('heading', { name: 'offline-app' }).waitFor();
});

step('deleting on an offline agent is refused with the reason, and nothing is deleted', async () => {
  session.expectFailure(/409.*\/applications\/.*wait=true/);
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete offline-app?' });
  await dialog.getByRole('button', { name: 'Delete application' }).click();
  const alert = dialog.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /The agent cannot act now/);
  assert.match(await alert.textContent(), /offline/);
  session.expectNoFailures();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.ok(page.url().endsWith(offlineAppId));
});

step('an ended session sends the user to sign in, then back to where they were', async () => {
  await page.getByRole('link', { name: 'Repositories' }).click();
  await page.waitForURL('**/repositories');
  // The server forgets the session (as after it expired); the next call answers 401.
  session.expectFailure(/401/);
  await page.context().clearCookies();
  await page.getByRole('button', { name: 'Account menu' }).click();
  await page.getByRole('menuitem', { name: 'Profile and API tokens' }).click();
  await page.waitForURL(/\/login\?next=%2Fprofile/);
  await page.getByText('Your session has ended').waitFor();
  await session.screenshot('session-ended');
  session.expectNoFailures();
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/profile');
});

step('the profile page creates an API token shown once, lists it and revokes it', async () => {
  await page.getByRole('heading', { name: 'Profile' }).waitFor();
  await page.getByLabel('Token name').fill('ci');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = await page.getByTestId('new-token').textContent();
  assert.match(token, /^orca_/);
  await session.screenshotAll('profile');
  await page.getByRole('button', { name: 'I have copied it' }).click();
  await page.getByTestId('new-token').waitFor({ state: 'detached' });
  const tokens = page.getByRole('table', { name: 'API tokens' });
  await tokens.getByRole('cell', { name: 'ci', exact: true }).waitFor();
  await tokens.getByRole('button', { name: 'Revoke token ci' }).click();
  await tokens.getByRole('cell', { name: 'ci', exact: true }).waitFor({ state: 'detached' });
});

step('the theme switches between light and dark and is remembered', async () => {
  const scheme = () => page.evaluate(() => document.documentElement.getAttribute('data-mantine-color-scheme'));
  const before = await scheme();
  const next = before === 'dark' ? 'light' : 'dark';
  await page.getByRole('button', { name: `Switch to ${next} theme` }).click();
  assert.equal(await scheme(), next);
  await page.reload();
  await page.getByRole('heading', { name: 'Profile' }).waitFor();
  assert.equal(await scheme(), next);
  await page.getByRole('button', { name: `Switch to ${before} theme` }).click();
});

step('the live stream says when it is down, and resumes with the changes it missed', async () => {
  await page.getByRole('link', { name: 'Repositories' }).click();
  await page.waitForURL('**/repositories');
  const live = page.getByRole('status').filter({ hasText: 'Live' });
  await live.waitFor();
  await session.markLoaded();
  const token = await adminToken();
  const repo = (await apiCall('GET', '/repositories', { token })).body.find((r) => r.name === 'stacks');
  assert.ok(repo, 'the repository of the first test');

  session.expectFailure(/\/api\/v1\/events/);
  await page.context().setOffline(true);
  await page.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor();
  await session.screenshot('live-reconnecting');
  // Changed elsewhere while this page cannot hear about it.
  const renamed = await apiCall('PUT', `/repositories/${repo.id}`, { token, body: { name: 'stacks-renamed' } });
  assert.equal(renamed.status, 200, JSON.stringify(renamed.body));

  await page.context().setOffline(false);
  await live.waitFor({ timeout: 30_000 });
  await page.getByRole('link', { name: 'stacks-renamed' }).waitFor();
  await session.assertNotReloaded();
  session.expectNoFailures();
  assert.equal((await apiCall('PUT', `/repositories/${repo.id}`, { token, body: { name: 'stacks' } })).status, 200);
  await page.getByRole('link', { name: 'stacks', exact: true }).waitFor();
});

step('a repository credential is write-only: set through the form, never shown again', async () => {
  await page.getByRole('link', { name: 'Repositories' }).click();
  await page.getByRole('link', { name: 'stacks', exact: true }).click();
  await page.getByRole('link', { name: 'Edit' }).click();
  await page.getByRole('combobox', { name: 'Authentication' }).click();
  await page.getByRole('option', { name: 'Access token' }).click();
  await page.getByRole('textbox', { name: 'Access token' }).fill('s3cret-token-value');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Access token · credential set').waitFor();
  assert.ok(!(await page.content()).includes('s3cret-token-value'), 'the stored token is on the page');

  await page.getByRole('link', { name: 'Edit' }).click();
  const token = page.getByRole('textbox', { name: 'Access token' });
  await token.waitFor();
  assert.equal(await token.inputValue(), '');
  await page.getByText('A value is stored and never shown').waitFor();
  await session.screenshotAll('repository-edit');
  // Back to no credential: the stored token is cleared with it.
  await page.getByRole('combobox', { name: 'Authentication' }).click();
  await page.getByRole('option', { name: 'None (public)' }).click();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('None (public)', { exact: true }).waitFor();
  const token2 = await adminToken();
  const repo = (await apiCall('GET', '/repositories', { token: token2 })).body.find((r) => r.name === 'stacks');
  assert.equal(repo.hasCredentials, false);
  assert.ok(!JSON.stringify(repo).includes('s3cret-token-value'));
});

step('pasted on another host, the rotated command starts edge-1; the settings from before it are refused', async () => {
  assert.ok(rotatedCommand, "the command edge-1's rotation showed");
  assert.ok(AGENT_JAR && AGENT_HOST_DIR, 'E2E_AGENT_JAR and E2E_AGENT_HOST_DIR: the agent jar and the other host');
  const host = AGENT_HOST_DIR;
  copyFileSync(AGENT_JAR, join(host, 'orca-agent.jar'));
  // Heartbeats each second, so the hub calls it offline within seconds of its stop: the tests after
  // this one pick an online agent for their applications, and it must not be this one.
  const env = { ...process.env, ORCA_AGENT_DEPLOYMENTS_DIR: join(host, 'deployments'), ORCA_AGENT_HEARTBEAT_SECONDS: '1' };

  // The settings from before the rotation: the agent's check says the broker refuses them.
  const old = Object.entries(firstSettings).map(([name, value]) => `${name}=${value}\n`).join('');
  writeFileSync(join(host, 'old.env'), old, { mode: 0o600 });
  const refused = await promisify(execFile)('java', ['-jar', 'orca-agent.jar', '--env-file', 'old.env', '--check'], {
    cwd: host,
    env,
    timeout: 90_000,
  }).then(
    () => assert.fail('the check passed with the settings the rotation replaced'),
    (error) => error,
  );
  assert.equal(refused.code, 2, `the check's exit status; output:\n${refused.stdout}${refused.stderr}`);
  assert.match(`${refused.stdout}${refused.stderr}`, /Check failed: the broker refused this agent/);

  // The command as shown, pasted into a shell there: it checks, then starts the agent.
  const log = join(OUT, 'edge-1-agent.log');
  const output = openSync(log, 'w');
  await page.getByRole('link', { name: 'Agents' }).click();
  await page.locator('tr', { hasText: 'edge-1' }).getByText('Agent: Offline').waitFor();
  const agent = spawn('bash', ['-c', rotatedCommand], { cwd: host, env, detached: true, stdio: ['ignore', output, output] });
  const exited = new Promise((resolve) => agent.once('exit', (code, signal) => resolve(signal ?? code)));
  try {
    await Promise.race([
      page.locator('tr', { hasText: 'edge-1' }).getByText('Agent: Online').waitFor({ timeout: 120_000 }),
      exited.then((status) => assert.fail(`the pasted command ended (${status}):\n${readFileSync(log, 'utf8')}`)),
    ]);
    // The check's own heartbeat may be what shows it online: the agent itself says when it is connected.
    const deadline = Date.now() + 60_000;
    while (!readFileSync(log, 'utf8').includes('Connected: the broker acknowledged the first heartbeat')) {
      assert.ok(Date.now() < deadline, `the agent did not connect within 60 s:\n${readFileSync(log, 'utf8')}`);
      assert.ok(agent.exitCode === null, `the pasted command ended:\n${readFileSync(log, 'utf8')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.match(readFileSync(log, 'utf8'), /Check passed: connected to .* as orca-agent-[0-9a-f-]{36}-2/);
    assert.equal(statSync(join(host, 'orca-agent.env')).mode & 0o777, 0o600, 'orca-agent.env is readable by its owner only');
    assert.ok(existsSync(join(host, 'orca-agent.jsa')), "the check archived the agent's classes");
    await session.screenshotAll('agent-online');
  } finally {
    // Stopped as a person would stop it (Ctrl-C reaches the whole foreground job).
    if (agent.exitCode === null && agent.signalCode === null) {
      process.kill(-agent.pid, 'SIGTERM');
      await exited;
    }
  }
  await page.locator('tr', { hasText: 'edge-1' }).getByText('Agent: Offline').waitFor({ timeout: 30_000 });
});
