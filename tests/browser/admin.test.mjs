// The administrator's data pages in a real browser: the import runs with a
// quarantined record, the yearly contract-department master update (upload,
// differences and impact, apply, history), the CRM export, and the review
// queue of private orders — keyboard-free checks with axe on every page, and
// no script anywhere.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { axeViolations, describe, launchBrowser, runCli, startServer, VIEWPORTS } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const SAMPLES = resolve(here, '../../crates/import/tests/samples');
const ADMIN = 'admin@demo.chance-navi.jp';
const PASSWORD = 'Demo-Navi-2026';
const ORG = '公益財団法人東京都中小企業振興公社';

let server;
let chromium;

before(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chance-navi-admin-'));
  server = await startServer({ dataDir, extraArgs: ['--demo'] });
  // Three kkj records without a key: set aside, with their reason.
  runCli(['import', 'run', '--data-dir', dataDir, '--source', 'kkj', '--file', `${SAMPLES}/kkj/handwritten-examples/search-multiple.xml`]);
  chromium = await launchBrowser();
});

after(async () => {
  await chromium?.close();
  await server?.stop();
});

async function checkA11y(page, where) {
  assert.equal(await page.locator('script').count(), 0, `${where} sends no script`);
  const blocking = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.equal(blocking.length, 0, `${where}:\n${describe(blocking)}`);
}

test('an administrator checks imports, updates the master, exports for the CRM and opens the review queue', async () => {
  const context = await chromium.browser.newContext({ locale: 'ja-JP', acceptDownloads: true });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  await page.goto(`${server.base}/login`);
  await page.locator('#f-email').fill(ADMIN);
  await page.locator('#f-password').fill(PASSWORD);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
  assert.equal(await page.locator('h1').textContent(), '管理画面');

  // Imports: the run, then its records set aside.
  await page.getByRole('link', { name: '取込みの状況' }).click();
  await checkA11y(page, 'import runs');
  await page.locator('table a').first().click();
  await checkA11y(page, 'import run');
  assert.equal(await page.locator('pre.raw').count(), 3);
  assert.match(await page.locator('.quarantine').first().textContent(), /Key/);

  // The yearly master update.
  await page.goto(`${server.base}/admin`);
  await page.getByRole('link', { name: '契約部署マスタの年次更新' }).click();
  await checkA11y(page, 'master updates');
  const csv = `発注機関,契約部署コード,契約部署名,旧契約部署コード\n${ORG},A01,総務部 総務課,\n${ORG},A10,経営管理部 経理課,A02\n${ORG},C02,販路開拓課,\n`;
  await page.getByLabel(/^年度/).fill('2027');
  await page.getByLabel(/契約部署マスタ（CSV/).setInputFiles({ name: 'keiyaku-2027.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: '取り込んで違いを確認する' }).click();
  await checkA11y(page, 'master update preview');
  const cells = await page.locator('td').allTextContents();
  for (const kind of ['コード変更', '新設', '廃止']) assert.ok(cells.includes(kind), `${kind}: ${cells}`);
  await page.getByLabel(/B01 取引振興課 の参照の移し先/).selectOption('A10');
  await page.getByRole('button', { name: 'この内容で適用する' }).click();
  assert.match(await page.locator('.notice').textContent(), /更新しました/);
  await checkA11y(page, 'master update history');

  // The CRM export downloads a file.
  await page.goto(`${server.base}/admin/exports`);
  await checkA11y(page, 'exports');
  await page.getByLabel('JSON Lines').check();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '出力する' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^companies-\d{8}-\d{4}\.jsonl$/);

  // The demo's private order waits for review.
  await page.goto(`${server.base}/admin/orders`);
  await checkA11y(page, 'order review queue');
  await page.getByRole('link', { name: '事務所移転に伴うオフィス家具の搬出・搬入' }).click();
  await checkA11y(page, 'order review');
});

async function signInAdmin(page) {
  await page.goto(`${server.base}/login`);
  await page.locator('#f-email').fill(ADMIN);
  await page.locator('#f-password').fill(PASSWORD);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
}

async function noSidewaysScroll(page, where) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${where} scrolls sideways by ${overflow}px`);
}

test('the audit log is filtered with a plain GET form and reads on a phone at 375 px', async () => {
  const context = await chromium.browser.newContext({ locale: 'ja-JP', viewport: VIEWPORTS.mobile });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  await signInAdmin(page);
  await page.goto(`${server.base}/admin`);
  await page.getByRole('link', { name: '監査ログ' }).click();
  await checkA11y(page, 'audit log');
  await noSidewaysScroll(page, 'audit log');
  const people = await page.locator('td[data-label="操作した人"]').allTextContents();
  assert.ok(people.every((p) => !/利用者 #/.test(p)), `names, not numbers: ${people}`);
  await page.getByLabel('操作', { exact: true }).selectOption({ label: 'ログイン' });
  await page.getByLabel('開始日').fill('2000-01-01');
  await page.getByRole('button', { name: '絞り込む' }).click();
  assert.match(page.url(), /action=sign_in\.succeeded/);
  const actions = await page.locator('td[data-label="操作"]').allTextContents();
  assert.ok(actions.length > 0 && actions.every((a) => a === 'ログイン'), `${actions}`);
  await noSidewaysScroll(page, 'filtered audit log');
  await checkA11y(page, 'filtered audit log');
  await context.close();
});

test('an administrator suspends and reinstates a staff member on the staff page', async () => {
  const context = await chromium.browser.newContext({ locale: 'ja-JP' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  await signInAdmin(page);
  await page.getByRole('link', { name: '職員の管理' }).click();
  assert.equal(await page.locator('h1').textContent(), '職員の管理');
  await checkA11y(page, 'staff');
  const suspend = page.locator('.member__actions button', { hasText: '利用を停止する' }).first();
  const who = (await suspend.locator('.visually-hidden').textContent()).replace(/^（(.*)）$/, '$1');
  await suspend.click();
  assert.match(await page.locator('[role=status]').textContent(), /利用を停止しました/);
  await checkA11y(page, 'staff after a suspension');
  await page.locator('.member__actions button', { hasText: `利用を再開する（${who}）` }).click();
  assert.match(await page.locator('[role=status]').textContent(), /利用を再開しました/);
  await page.setViewportSize(VIEWPORTS.mobile);
  await noSidewaysScroll(page, 'staff');
  await page.goto(`${server.base}/help/formats/tokyo`);
  await checkA11y(page, 'CSV format help');
  await noSidewaysScroll(page, 'CSV format help');
  await context.close();
});
