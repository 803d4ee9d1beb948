// Site content end to end in a real browser, on two servers of the same
// binary sharing one bundle key: on staging an administrator uploads an
// image (refused without alternative text), writes a post that shows it,
// previews it, schedules it a minute ahead and sees it appear on time with
// no job running, restores an earlier revision, and downloads the bundle;
// on production the operations role uploads it, reads the field-level plan,
// applies it, and rolls it back. axe runs on every content page.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { axeViolations, describe, launchBrowser, runCli, startServer } from './harness.mjs';

const ADMIN = 'admin@demo.chance-navi.jp';
const PASSWORD = 'Demo-Navi-2026';
const OPS = 'ops@production.example.jp';
const OPS_PASSWORD = 'Production-Ops-2026!';
// A 2×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAAEElEQVR4nGP4z8DAwMDAAAAHAQEAAK3TfQAAAABJRU5ErkJggg==',
  'base64',
);

let staging;
let production;
let chromium;
let work;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'chance-navi-content-'));
  const key = join(work, 'bundle.key');
  writeFileSync(key, `${'3c'.repeat(32)}\n`, { mode: 0o600 });
  staging = await startServer({ extraArgs: ['--demo', '--bundle-key-file', key] });
  const productionDir = mkdtempSync(join(tmpdir(), 'chance-navi-production-'));
  runCli(['user', 'create', '--data-dir', productionDir, '--role', 'ops', '--email', OPS, '--name', '本番 運用'], `${OPS_PASSWORD}\n`);
  production = await startServer({ dataDir: productionDir, extraArgs: ['--bundle-key-file', key] });
  chromium = await launchBrowser();
});

after(async () => {
  await chromium?.close();
  await staging?.stop();
  await production?.stop();
});

async function checkA11y(page, where) {
  const blocking = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.equal(blocking.length, 0, `${where}:\n${describe(blocking)}`);
}

async function signIn(base, email, password) {
  const context = await chromium.browser.newContext({ locale: 'ja-JP', acceptDownloads: true });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.locator('#f-email').fill(email);
  await page.locator('#f-password').fill(password);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
  return { context, page };
}

/** "YYYY-MM-DDTHH:MM" in Japan, `ms` from the epoch. */
function jstMinute(ms) {
  return new Date(ms + 9 * 3600_000).toISOString().slice(0, 16);
}

test('a post with an image is scheduled, appears on time, is restored, and is promoted to production and rolled back', { timeout: 240_000 }, async () => {
  const { context, page } = await signIn(staging.base, ADMIN, PASSWORD);

  // The media library refuses an image without alternative text.
  const image = join(work, 'hall.png');
  writeFileSync(image, PNG);
  await page.goto(`${staging.base}/admin/media`);
  await checkA11y(page, 'media library');
  await page.locator('#f-file').setInputFiles(image);
  await page.getByRole('button', { name: '登録する' }).click();
  assert.match(await page.locator('[role=alert]').first().textContent(), /代替テキスト/);
  await page.locator('#f-file').setInputFiles(image);
  await page.locator('#f-alt').fill('展示会場の様子');
  await page.getByRole('button', { name: '登録する' }).click();
  const url = (await page.locator('td code').first().textContent()).trim();
  assert.match(url, /^\/media\/[0-9a-f]{64}\.png$/);

  // The post, previewed without JavaScript, then scheduled a minute ahead.
  await page.goto(`${staging.base}/admin/content/new/post`);
  await checkA11y(page, 'new post form');
  await page.locator('#f-title').fill('商談会の会場写真を公開します');
  await page.locator('#f-slug').fill('hall-photos');
  await page.locator('#f-category').selectOption('fair');
  await page.locator('#f-body').fill(`会場の様子です。\n\n![](${url})\n`);
  await page.getByRole('button', { name: 'プレビュー' }).click();
  const preview = page.locator('.content__body img');
  assert.equal(await preview.getAttribute('alt'), '展示会場の様子');
  assert.equal(await preview.getAttribute('width'), '2');
  await checkA11y(page, 'preview');
  // At least 30 s ahead, on a whole minute.
  const due = Math.ceil((Date.now() + 30_000) / 60_000) * 60_000;
  await page.getByLabel('予約', { exact: true }).check();
  await page.locator('#f-publish_at').fill(jstMinute(due));
  await page.getByRole('button', { name: '保存する' }).click();
  const editUrl = page.url().split('?')[0];
  assert.match(editUrl, /\/admin\/content\/\d+/);

  const visitor = await chromium.browser.newContext({ locale: 'ja-JP' });
  const reader = await visitor.newPage();
  let r = await reader.goto(`${staging.base}/news/hall-photos`);
  assert.equal(r.status(), 404, 'not public before its time');
  await reader.goto(`${staging.base}/news`);
  assert.equal(await reader.getByText('商談会の会場写真を公開します').count(), 0);
  // No job runs: the clock alone makes it public.
  await new Promise((ok) => setTimeout(ok, Math.max(0, due - Date.now()) + 1_500));
  r = await reader.goto(`${staging.base}/news/hall-photos`);
  assert.equal(r.status(), 200);
  assert.equal(await reader.locator('h1').textContent(), '商談会の会場写真を公開します');
  await checkA11y(reader, 'published post');
  await reader.goto(`${staging.base}/news`);
  assert.equal(await reader.getByText('商談会の会場写真を公開します').count(), 1, 'the list shows it on time too');

  // A second revision, then the first restored.
  await page.goto(editUrl);
  await page.locator('#f-title').fill('会場写真（差し替え前）');
  await page.getByRole('button', { name: '保存する' }).click();
  await page.goto(`${editUrl}/revisions`);
  await checkA11y(page, 'revisions');
  await page.locator('a[href$="/revisions/1"]').click();
  await checkA11y(page, 'revision diff');
  await page.getByRole('button', { name: /第1版の内容に戻す/ }).click();
  await reader.goto(`${staging.base}/news/hall-photos`);
  assert.equal(await reader.locator('h1').textContent(), '商談会の会場写真を公開します');

  // The bundle, downloaded on staging.
  await page.goto(`${staging.base}/admin/content/bundle`);
  await checkA11y(page, 'bundle page (staging)');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'バンドルをダウンロード' }).click(),
  ]);
  const bundle = join(work, 'content.cnb');
  await download.saveAs(bundle);
  await context.close();

  // On production: the plan, then the import.
  const ops = await signIn(production.base, OPS, OPS_PASSWORD);
  await ops.page.goto(`${production.base}/admin/content/bundle`);
  await checkA11y(ops.page, 'bundle page (production)');
  await ops.page.locator('#f-bundle').setInputFiles(bundle);
  await ops.page.getByRole('button', { name: '変更点を確かめる' }).click();
  const planned = ops.page.locator('ul.plan summary', { hasText: '/news/hall-photos' });
  assert.equal(await planned.count(), 1);
  assert.match(await planned.textContent(), /追加/);
  await planned.click();
  await checkA11y(ops.page, 'bundle plan');
  const onProduction = await visitor.newPage();
  r = await onProduction.goto(`${production.base}/news/hall-photos`);
  assert.equal(r.status(), 404, 'nothing changes before the import');
  await ops.page.getByRole('button', { name: 'この内容で取り込む' }).click();
  assert.match(await ops.page.locator('[role=status]').textContent(), /取り込みました/);

  r = await onProduction.goto(`${production.base}/news/hall-photos`);
  assert.equal(r.status(), 200);
  const shown = onProduction.locator('.content__body img');
  assert.equal(await shown.getAttribute('alt'), '展示会場の様子');
  const img = await onProduction.request.get(`${production.base}${url}`);
  assert.equal(img.status(), 200, 'the image came along');

  // Rollback: back to before the import.
  await ops.page.getByRole('button', { name: '取り込み前に戻す' }).click();
  assert.match(await ops.page.locator('[role=status]').textContent(), /戻しました/);
  r = await onProduction.goto(`${production.base}/news/hall-photos`);
  assert.equal(r.status(), 404);
  await ops.context.close();
  await visitor.close();
});
