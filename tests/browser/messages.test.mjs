// What a person is told when something cannot be done, in a real browser:
// a URL too long for the server, a made-up unsubscribe or confirmation link
// — each the portal's own page in Japanese, with a way on, and no serious
// accessibility violation.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeViolations, describe, launchBrowser, startServer } from './harness.mjs';

let server;
let chromium;

before(async () => {
  server = await startServer({ extraArgs: ['--demo'] });
  chromium = await launchBrowser();
});

after(async () => {
  await chromium?.close();
  await server?.stop();
});

async function opened(path) {
  const context = await chromium.browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  const response = await page.goto(server.base + path);
  const blocking = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.equal(blocking.length, 0, `${path.slice(0, 60)}:\n${describe(blocking)}`);
  return { context, page, status: response.status() };
}

test('a search URL too long for the server gets the portal\'s own page, not a bare status', async () => {
  const { context, page, status } = await opened(`/cases?q=${'%E6%B8%85'.repeat(8000)}`);
  assert.equal(status, 414);
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  assert.match(await page.locator('main').textContent(), /URLが長すぎる/);
  assert.ok(await page.locator('header nav a', { hasText: '案件を探す' }).isVisible());
  await context.close();
});

test('a made-up unsubscribe link says it is not valid and offers no button', async () => {
  const { context, page, status } = await opened('/notifications/unsubscribe/made-up-token');
  assert.equal(status, 404);
  assert.match(await page.locator('main').textContent(), /正しくありません/);
  assert.equal(await page.getByRole('button', { name: '配信を停止する' }).count(), 0);
  await context.close();
});

test('a made-up address-confirmation link says so and leads to the application', async () => {
  const { context, page, status } = await opened('/apply/confirm/made-up-token');
  assert.equal(status, 410);
  assert.match(await page.locator('main').textContent(), /正しくありません/);
  await page.getByRole('link', { name: '利用申請のページへ' }).click();
  assert.equal(await page.locator('h1').textContent(), '利用申請');
  await context.close();
});
