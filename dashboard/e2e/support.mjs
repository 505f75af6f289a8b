// What the browser tests share: the Orca under test, the git repository it deploys from, a
// browser page that records every console error and failed request, screenshots, and small
// helpers for what a person would check outside the browser (git, docker).
//
// The Java test DashboardBrowserIntegrationTest (launcher module) starts a real Orca (embedded
// Kafka and PostgreSQL, every component, the local agent on the real Docker daemon) and a real
// git server, then runs these files with `node --test` and these variables:
//   ORCA_URL        where the dashboard and the API answer
//   E2E_GIT_URL       the repository's URL as Orca clones it
//   E2E_GIT_DIR       the repository's working tree on disk (commits made there are served)
//   E2E_OUT         where screenshots and measured figures go
//   E2E_OIDC_URL    a GitHub Actions token issuer Orca trusts; POST /mint answers a token
//   E2E_OIDC_PROVIDER, E2E_OIDC_CLIENT_SECRET  an OpenID provider people sign in with, and Orca's secret there
//   E2E_PUBLIC_URL  Orca's public URL, the audience of those tokens
//   E2E_AGENT_JAR   the agent's runnable jar, which an agent's pasted command starts
//   E2E_AGENT_HOST_DIR  a folder standing for another Docker host, where that command is pasted
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { launch } from './browser.mjs';

export const ORCA_URL = required('ORCA_URL');
export const GIT_URL = process.env.E2E_GIT_URL ?? '';
export const GIT_DIR = process.env.E2E_GIT_DIR ?? '';
export const OUT = process.env.E2E_OUT ?? 'target/e2e';
/** A GitHub Actions token issuer Orca trusts (POST /mint answers a token), and Orca's public URL (their audience). */
export const OIDC_URL = process.env.E2E_OIDC_URL ?? '';
/** A real OpenID provider (Spring Authorization Server) with a client "orca" and people to sign in as. */
export const OIDC_PROVIDER = process.env.E2E_OIDC_PROVIDER ?? '';
export const OIDC_CLIENT_SECRET = process.env.E2E_OIDC_CLIENT_SECRET ?? '';
export const PUBLIC_URL = (process.env.E2E_PUBLIC_URL ?? '').replace(/\/$/, '');
export const AGENT_JAR = process.env.E2E_AGENT_JAR ?? '';
export const AGENT_HOST_DIR = process.env.E2E_AGENT_HOST_DIR ?? '';
export const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'Correct-Horse-42' };
/** How long the UI may take to show an outcome that needs a real deployment. */
export const DEPLOY_WAIT = 120_000;

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run these tests through DashboardBrowserIntegrationTest or set it`);
  }
  return value.replace(/\/$/, '');
}

export const DESKTOP = { width: 1366, height: 860 };
export const PHONE = { width: 390, height: 844 };

/**
 * A browser context and page for one test. Every console error and every failed request is
 * recorded; {@link Session#expectFailure} declares the ones a step provokes on purpose (a wrong
 * password, a 409), and {@link Session#close} fails the test on any other.
 */
export class Session {
  static async open({ viewport = DESKTOP, colorScheme = 'light' } = {}) {
    const browser = await launch();
    const context = await browser.newContext({ viewport, colorScheme, baseURL: ORCA_URL });
    // A Content-Security-Policy violation names where it happened, for the failure message.
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} (${e.sample})`);
      });
    });
    const page = await context.newPage();
    Session.current = new Session(browser, context, page);
    return Session.current;
  }

  constructor(browser, context, page) {
    this.browser = browser;
    this.context = context;
    this.page = page;
    this.problems = [];
    this.expected = [];
    // Requests the page started and that have not ended, with when they started and whether
    // their headers came: named in a failure, they tell a server that never answered from one
    // that answered slowly.
    this.inflight = new Map();
    page.on('request', (request) => this.inflight.set(request, { started: Date.now(), headers: false }));
    page.on('response', (response) => {
      const entry = this.inflight.get(response.request());
      if (entry) entry.headers = true;
    });
    page.on('requestfinished', (request) => this.inflight.delete(request));
    page.on('requestfailed', (request) => this.inflight.delete(request));
    page.on('console', (message) => {
      if (message.type() === 'error') {
        this.record(`console error: ${message.text()} (${message.location().url ?? ''})`);
      }
    });
    page.on('pageerror', (error) => this.record(`uncaught: ${error.message}`));
    page.on('requestfailed', (request) => {
      const failure = request.failure()?.errorText ?? '';
      // A navigation away cancels the page's open requests (the event stream among them): not a failure.
      if (failure.includes('ERR_ABORTED')) return;
      this.record(`request failed: ${request.method()} ${request.url()} ${failure}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) {
        this.record(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
      }
    });
  }

  /**
   * Declares that the next steps provoke this failure on purpose (matched against the recorded
   * text, which names the status and the URL), until {@link Session#expectNoFailures}.
   */
  expectFailure(pattern) {
    this.expected.push(pattern);
  }

  expectNoFailures() {
    this.expected = [];
  }

  /** The requests still in flight, oldest first, as text. */
  inflightText() {
    const now = Date.now();
    return [...this.inflight.entries()]
      .sort((a, b) => a[1].started - b[1].started)
      .map(([request, { started, headers }]) =>
        `${request.method()} ${request.url()} for ${now - started} ms, ${headers ? 'headers received' : 'no answer yet'}`,
      );
  }

  record(problem) {
    if (!this.expected.some((p) => p.test(problem))) {
      this.problems.push(problem);
    }
  }

  assertClean() {
    assert.deepEqual(this.problems, [], 'the page had console errors or failed requests');
  }

  async close() {
    await this.context.close();
    await this.browser.close();
    this.assertClean();
  }

  /** Saves the current page as `<name>-<scheme>-<width>.png` under the output folder. */
  async screenshot(name, { fullPage = true } = {}) {
    mkdirSync(join(OUT, 'screenshots'), { recursive: true });
    const scheme = await this.page.evaluate(() => document.documentElement.getAttribute('data-mantine-color-scheme'));
    const width = this.page.viewportSize()?.width ?? 0;
    const file = join(OUT, 'screenshots', `${name}-${scheme}-${width}.png`);
    await this.page.screenshot({ path: file, fullPage });
    return file;
  }

  /** Screenshots of this page in light and dark, at desktop and phone width. */
  async screenshotAll(name) {
    const original = this.page.viewportSize();
    for (const scheme of ['light', 'dark']) {
      await this.setScheme(scheme);
      for (const viewport of [DESKTOP, PHONE]) {
        await this.page.setViewportSize(viewport);
        await this.page.waitForTimeout(150);
        await this.screenshot(name);
      }
    }
    await this.setScheme('light');
    if (original) await this.page.setViewportSize(original);
  }

  async setScheme(scheme) {
    await this.page.evaluate((s) => {
      window.localStorage.setItem('mantine-color-scheme-value', s);
      document.documentElement.setAttribute('data-mantine-color-scheme', s);
    }, scheme);
  }

  /** Marks the page so {@link assertNotReloaded} can tell it was never loaded again. */
  async markLoaded() {
    await this.page.evaluate(() => {
      window.__orcaNotReloaded = true;
    });
  }

  async assertNotReloaded() {
    assert.equal(await this.page.evaluate(() => window.__orcaNotReloaded === true), true, 'the page was reloaded');
  }

  async signIn(email = ADMIN.email, password = ADMIN.password) {
    const { page } = this;
    await page.goto('/login');
    await page.getByLabel('Email').fill(email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
}

/**
 * The threads of the JVM that runs Orca (E2E_SERVER_PID), saved beside the screenshots: what the
 * server was doing when a step gave up waiting for it.
 */
function dumpServerThreads(name) {
  const pid = process.env.E2E_SERVER_PID;
  if (!pid) return null;
  try {
    const file = join(OUT, `threads-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.txt`);
    mkdirSync(OUT, { recursive: true });
    writeFileSync(file, execFileSync('jstack', [pid], { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }));
    return file;
  } catch {
    return null;
  }
}

/** Commits a file into the served repository with git itself; returns the new commit's SHA. */
export function commitFile(path, content, message) {
  assert.ok(GIT_DIR, 'E2E_GIT_DIR is not set');
  const file = join(GIT_DIR, path);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, content);
  const git = (...args) =>
    execFileSync('git', ['-c', 'user.name=Orca E2E', '-c', 'user.email=e2e@orca.invalid', '-C', GIT_DIR, ...args], {
      encoding: 'utf8',
      timeout: 30_000,
      killSignal: 'SIGKILL',
    }).trim();
  git('add', path);
  git('commit', '--no-gpg-sign', '-q', '-m', message);
  return git('rev-parse', 'HEAD');
}

/** The ids of the containers Docker runs for an application, by Orca's label. */
export function containersOf(applicationId) {
  const out = execFileSync('docker', ['ps', '-aq', '--filter', `label=orca-cd.application-id=${applicationId}`], {
    encoding: 'utf8',
    timeout: 30_000,
    killSignal: 'SIGKILL',
  }).trim();
  return out ? out.split(/\s+/) : [];
}

const execFileAsync = promisify(execFile);

/** Docker's output, asynchronously: a slow docker never stops the page's own timeouts. */
export async function docker(...args) {
  const { stdout } = await execFileAsync('docker', args, { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
  return stdout.trim();
}

/**
 * Set-up a test is not about: a repository of sync type manual on the served git repository and
 * an application of it deploying {@code path}, on {@code agentId} or else the agent that is
 * online (the local one). Returns the application's id.
 */
export async function createApplication(token, { repository, name, path, agentId }) {
  let agent = agentId;
  if (!agent) {
    const agents = await apiCall('GET', '/agents', { token });
    const online = agents.body.find((a) => a.status === 'online');
    assert.ok(online, `an online agent: ${JSON.stringify(agents.body)}`);
    agent = online.id;
  }
  const created = await apiCall('POST', '/repositories', {
    token,
    body: { name: repository, url: GIT_URL, syncType: 'manual' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const application = await apiCall('POST', '/applications', {
    token,
    body: { name, repositoryId: created.body.id, agentId: agent, branch: 'main', path },
  });
  assert.equal(application.status, 201, JSON.stringify(application.body));
  return application.body.id;
}

/** Waits until {@code check} returns a truthy value, or fails after {@code timeout} ms. */
export async function eventually(check, { timeout = 30_000, interval = 250, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  throw new Error(`${what} did not hold within ${timeout} ms${last ? `: ${last.message}` : ''}`);
}

/** A compose file of one busybox web server that stops at once. */
export function composeFile(marker) {
  return `services:
  web:
    image: orca-test/busybox:1
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    stop_grace_period: 1s
    environment:
      MARKER: ${marker}
`;
}

/** Writes a measured figure for the note and the README. */
export function writeFigure(name, value) {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, `${name}.json`), `${JSON.stringify(value, null, 2)}\n`);
  console.log(`figure ${name}: ${JSON.stringify(value)}`);
}

/**
 * Calls the API outside the browser (for set-up a test is not about). Like a well-behaved client,
 * it waits as long as a 429's Retry-After says and tries again (set-up may send hundreds of
 * requests with one token, past its burst).
 */
export async function apiCall(method, path, { token, body } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const deadline = Date.now() + 120_000;
  for (;;) {
    const response = await fetch(`${ORCA_URL}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const retryAfter = Number(response.headers.get('retry-after'));
    if (response.status === 429 && retryAfter > 0 && Date.now() + retryAfter * 1000 < deadline) {
      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
      continue;
    }
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }
}

/** An API token of the admin, made through the API (for set-up steps only). */
export async function adminToken() {
  const login = await fetch(`${ORCA_URL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
    signal: AbortSignal.timeout(30_000),
  });
  assert.equal(login.status, 200, 'admin login failed');
  const cookie = login.headers.get('set-cookie').split(';', 1)[0];
  const created = await fetch(`${ORCA_URL}/api/v1/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: cookie },
    body: JSON.stringify({ name: `e2e-${Date.now()}` }),
    signal: AbortSignal.timeout(30_000),
  });
  assert.equal(created.status, 201, 'token creation failed');
  return (await created.json()).token;
}

let stepFailed = false;
const STEP_TIMEOUT_MS = 5 * 60_000;

/**
 * A test that is one step of a story: it runs only while every earlier step of the file passed,
 * since each builds on what the one before it left (one failure, not a cascade of timeouts).
 */
export function step(name, fn) {
  // A step that hangs fails on its own, with the page and the server's threads, long before the
  // suite's limit; the synchronous calls above are killed at 30 s so they cannot block this.
  test(name, { timeout: STEP_TIMEOUT_MS }, async (t) => {
    if (stepFailed) {
      t.skip('an earlier step failed');
      return;
    }
    try {
      await fn(t);
    } catch (thrown) {
      stepFailed = true;
      // Some errors cannot take more text (a DOMException's message is a getter, as for a fetch
      // that timed out): those are wrapped, with the original as the cause.
      const error = thrown instanceof Error && !(thrown instanceof DOMException)
        ? thrown
        : new Error(`${thrown?.name ?? 'Error'}: ${thrown?.message ?? thrown}`, { cause: thrown });
      const session = Session.current;
      if (session) {
        // What the page showed and what went wrong on it, for whoever reads the failure.
        const file = await session.screenshot(`failed-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => null);
        error.message += `\n  page: ${session.page.url()}${file ? `\n  screenshot: ${file}` : ''}`;
        if (session.problems.length) error.message += `\n  page problems:\n    ${session.problems.join('\n    ')}`;
        const inflight = session.inflightText();
        error.message += inflight.length
          ? `\n  requests in flight:\n    ${inflight.join('\n    ')}`
          : '\n  requests in flight: none';
      }
      const dump = dumpServerThreads(name);
      if (dump) error.message += `\n  server threads: ${dump}`;
      // The reporter prints the stack, which holds the message as it was when the error was made.
      const frames = (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '));
      error.stack = [`${error.name}: ${error.message}`, ...frames].join('\n');
      throw error;
    }
  });
}
