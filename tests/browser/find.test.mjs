// A visitor finds a case by a two-character word, narrows the results by a
// facet and opens the case — with plain links and forms: the site sends no
// script at all (checked), so it works the same without JavaScript.
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

async function noBlockingViolations(page, where) {
  assert.equal(await page.locator('script').count(), 0, `${where} sends no script`);
  const blocking = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.equal(blocking.length, 0, `${where}:\n${describe(blocking)}`);
}

test('a visitor finds a cleaning contract, narrows it to one prefecture and opens it', async () => {
  const context = await chromium.browser.newContext({ locale: 'ja-JP' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  await page.goto(server.base + '/');
  await page.getByRole('link', { name: '案件を探す' }).first().click();
  // The index follows the demo data within a second of serving.
  for (let i = 0; i < 50; i += 1) {
    await page.locator('#f-q').fill('清掃');
    await page.getByRole('button', { name: '検索', exact: true }).click();
    if (!(await page.locator('#results-title').textContent()).includes(' 0件')) break;
    await page.waitForTimeout(200);
  }
  const total = await page.locator('#results-title').textContent();
  assert.match(total, /検索結果 \d+件/);
  assert.notEqual(total, '検索結果 0件');
  await noBlockingViolations(page, 'results');
  for (const title of await page.locator('.result__title a').allTextContents()) {
    assert.ok(title.length > 0);
  }

  // Narrow to 神奈川県 with the facet's checkbox and the plain submit button.
  await page.getByRole('checkbox', { name: /神奈川県/ }).check();
  await page.getByRole('button', { name: 'この条件で絞り込む' }).first().click();
  assert.match(page.url(), /prefecture=14/);
  assert.match(page.url(), /q=%E6%B8%85%E6%8E%83/);
  const regions = await page.locator('.result__meta').allTextContents();
  assert.ok(regions.length > 0);
  for (const r of regions) assert.match(r, /神奈川県/);

  // Open the first case.
  const first = page.locator('.result__title a').first();
  const title = await first.textContent();
  await first.click();
  assert.equal(await page.locator('h1').textContent(), title);
  const facts = await page.locator('.facts').textContent();
  assert.match(facts, /令和\d+年|令和元年/);
  await noBlockingViolations(page, 'case');
  await context.close();
});

test('on a phone the results come first and the filters fold into a disclosure; the keyboard reaches a result at once', async () => {
  const context = await chromium.browser.newContext({ locale: 'ja-JP', viewport: { width: 375, height: 740 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  await page.goto(server.base + '/cases?q=%E6%B8%85%E6%8E%83');
  // The filters are folded: their checkboxes cannot be seen until opened.
  const summary = page.locator('.search__refine > summary');
  assert.ok(await summary.isVisible());
  assert.equal(await page.getByRole('checkbox', { name: /神奈川県/ }).isVisible(), false);
  // From the search box, a few Tab presses reach the first result.
  await page.locator('#f-q').focus();
  let presses = 0;
  for (; presses < 8; presses += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement.closest('.result__title') !== null)) break;
  }
  assert.ok(presses < 8, 'a result is among the first Tab stops after the search box');
  // Opened (by keyboard), the filters work as on a desktop, without script.
  await summary.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('checkbox', { name: /神奈川県/ }).check();
  await page.getByRole('button', { name: 'この条件で絞り込む' }).first().click();
  assert.match(page.url(), /prefecture=14/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px too wide)`);
  await noBlockingViolations(page, 'results on a phone');
  // On a desktop the filters stand open beside the results.
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.equal(await summary.isVisible(), false);
  assert.ok(await page.getByRole('checkbox', { name: /神奈川県/ }).isVisible());
  await context.close();
});

test('a page past the end of the results says so and leads to the last page', async () => {
  const context = await chromium.browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  await page.goto(server.base + '/cases?q=%E6%B8%85%E6%8E%83&page=999');
  await page.getByRole('link', { name: /最後のページ/ }).click();
  assert.ok((await page.locator('.result').count()) > 0);
  // The last page: nothing after it.
  assert.notEqual((await page.locator('.pager li').last().textContent()).trim(), '次へ');
  await context.close();
});
