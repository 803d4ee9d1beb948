// Shared by the browser tests: start the real chance-navi binary on a free
// port over a temporary data directory, and launch Debian's Chromium headless.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const BIN = process.env.CHANCE_NAVI_BIN ?? resolve(here, '../../target/debug/chance-navi');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 375, height: 740 },
};

function cleanEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('CHANCE_NAVI_') || key === 'DATABASE_URL') delete env[key];
  }
  return env;
}

/** Runs `chance-navi ARGS…` to completion, with `input` on standard input. */
export function runCli(args, input = '') {
  const r = spawnSync(BIN, args, { env: cleanEnv(), input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`chance-navi ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * Starts `chance-navi serve` on 127.0.0.1:0 over a new data directory (or
 * `dataDir`), with `extraArgs`; resolves to { base, dataDir, stop }.
 */
export async function startServer({ extraArgs = [], dataDir } = {}) {
  dataDir ??= mkdtempSync(join(tmpdir(), 'chance-navi-browser-'));
  const child = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--log', 'warn', ...extraArgs], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise((ok, fail) => {
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`chance-navi serve exited early with status ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      const m = line.match(/listening on (http:\/\/\S+)/);
      m ? ok(m[1]) : fail(new Error(`unexpected first line: ${line}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    base,
    dataDir,
    async stop() {
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The test SMTP server of the Rust harness (aiosmtpd); resolves to { url, messages(), stop }. */
export async function startSmtp() {
  const dir = mkdtempSync(join(tmpdir(), 'chance-navi-smtp-'));
  const port = await new Promise((ok) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = srv.address().port;
      srv.close(() => ok(p));
    });
  });
  const python = process.env.CHANCE_NAVI_TEST_PYTHON ?? 'python3';
  const script = resolve(here, '../../crates/testkit/smtp_sink.py');
  const child = spawn(python, [script, String(port), join(dir, 'mail')], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`the SMTP server exited (${code}); is aiosmtpd installed?`)));
    createInterface({ input: child.stdout }).once('line', (line) =>
      line.trim() === 'ready' ? ok() : fail(new Error(line)),
    );
  });
  child.removeAllListeners('exit');
  const messages = () => {
    const folder = join(dir, 'mail');
    if (!existsSync(folder)) return [];
    return readdirSync(folder)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(folder, f), 'utf8')));
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    /**
     * Waits for a message to `to` whose subject contains `subject` (and whose
     * text contains `within`, e.g. one server's address); returns its first link.
     */
    async link(to, subject, within = '') {
      for (let i = 0; i < 200; i += 1) {
        const m = messages().find((x) => x.to.includes(to) && x.subject.includes(subject) && x.text.includes(within));
        if (m) return m.text.match(/https?:\/\/\S+/)[0];
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no mail "${subject}" to ${to}: ${JSON.stringify(messages().map((m) => [m.to, m.subject]))}`);
    },
    async stop() {
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Headless Chromium with the flags this closed network and root need.
 * Playwright gives every launch a fresh, temporary profile of its own.
 */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules and best practices) on the page.
 * The script is evaluated through the DevTools protocol, so the page's CSP,
 * which forbids inline scripts, stays in force.
 */
export async function axeViolations(page) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    }),
  );
  return result.violations;
}

/** One line per violation, for assertion messages. */
export function describe(violations) {
  return violations
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)
    .join('\n');
}
