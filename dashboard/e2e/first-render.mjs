// Prints when the dashboard first rendered at a URL, for `./orca bench startup`:
//   node first-render.mjs --url http://127.0.0.1:8080 [--deadline-ms 120000]
// Launches headless Chromium first (while the server may still be starting), waits with a cheap
// request until the server answers the page, then loads it until the app has drawn its first
// screen (the sign-in or set-up form), and prints one JSON line:
// {"renderedAt": <epoch millis>, "attempts": n}. Exits 1 when the deadline passes.
import { launch } from './browser.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const url = args.url;
const deadline = Date.now() + Number(args['deadline-ms'] ?? 120_000);
if (!url) {
  console.error('usage: node first-render.mjs --url <base url> [--deadline-ms N]');
  process.exit(2);
}

/** Whether the server answers the page yet: far cheaper than a browser load while it starts. */
async function answers(base) {
  try {
    const response = await fetch(base, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

const browser = await launch();
let rendered = null;
try {
  const page = await browser.newPage();
  let attempts = 0;
  while (!rendered && Date.now() < deadline) {
    attempts += 1;
    if (!(await answers(url))) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    try {
      await page.goto(url, { timeout: 5_000, waitUntil: 'commit' });
      await page.waitForSelector('form[aria-label]', { timeout: Math.max(1, Math.min(15_000, deadline - Date.now())) });
      rendered = { renderedAt: Date.now(), attempts };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
} finally {
  await browser.close();
}
if (!rendered) {
  console.error(`the dashboard did not render at ${url} before the deadline`);
  process.exit(1);
}
console.log(JSON.stringify(rendered));
