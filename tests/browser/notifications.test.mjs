// Notification settings in a real browser: a company user turns a search
// into a setting ("この条件で通知を受け取る"), edits it (words, exclusions,
// prefectures, frequency), sees what it would have matched in the last 30
// days, and deletes it; and the unsubscribe page from the mail works
// without signing in. Every page is checked with axe-core, without scripts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeViolations, describe, launchBrowser, startServer } from './harness.mjs';

const PASSWORD = 'Demo-Navi-2026';
const USER = 'marunouchi@demo.chance-navi.jp';

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

async function checkA11y(page, where) {
  assert.equal(await page.locator('script').count(), 0, `${where} sends no script`);
  const blocking = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.equal(blocking.length, 0, `${where}:\n${describe(blocking)}`);
}

test('a search becomes a notification setting that is edited and deleted', async () => {
  const context = await chromium.browser.newContext({ locale: 'ja-JP' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  await page.goto(`${server.base}/login`);
  await page.locator('#f-email').fill(USER);
  await page.locator('#f-password').fill(PASSWORD);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();

  await page.goto(`${server.base}/cases?q=${encodeURIComponent('清掃')}&prefecture=13`);
  await page.getByRole('link', { name: 'この条件で通知を受け取る（メール）' }).click();
  await checkA11y(page, 'the new setting form');
  assert.equal(await page.locator('#f-keywords').inputValue(), '清掃');
  assert.ok(await page.getByLabel('東京都', { exact: true }).isChecked(), 'the prefecture comes along');
  await page.locator('#f-name').fill('清掃の新着テスト');
  await page.getByLabel('1日1回まとめて').check();
  await page.locator('#f-hour').selectOption('7');
  await page.getByRole('button', { name: '保存する' }).click();
  await page.getByText('通知設定を保存しました。').waitFor();
  await checkA11y(page, 'the settings list');
  const row = page.getByRole('row', { name: /清掃の新着テスト/ });
  assert.match(await row.innerText(), /毎日7時にまとめて/);

  // Edit: an exclusion, a second prefecture, at once instead of daily.
  await page.getByRole('link', { name: '清掃の新着テスト' }).click();
  await checkA11y(page, 'the edit form with its preview');
  await page.getByRole('heading', { name: '過去30日に公開された案件のうち、この条件に合うもの' }).waitFor();
  await page.locator('#f-exclusions').fill('警備');
  await page.getByLabel('神奈川県', { exact: true }).check();
  await page.getByLabel('公開されたらすぐ').check();
  await page.getByRole('button', { name: '保存する' }).click();
  await page.getByText('通知設定を保存しました。').waitFor();
  const edited = await page.getByRole('row', { name: /清掃の新着テスト/ }).innerText();
  assert.match(edited, /除外：警備/);
  assert.match(edited, /東京都・神奈川県/);
  assert.match(edited, /公開されたらすぐ/);

  // A setting that narrows nothing is refused beside its field.
  await page.goto(`${server.base}/mypage/notifications/new`);
  await page.locator('#f-name').fill('何でも');
  await page.locator('#f-keywords').fill('');
  await page.getByLabel('公開されたらすぐ').check();
  await page.getByRole('button', { name: '保存する' }).click();
  await page.getByText('条件を1つ以上指定してください', { exact: false }).first().waitFor();
  await checkA11y(page, 'a refused setting');

  // Delete it from its page.
  await page.goto(`${server.base}/mypage/notifications`);
  await page.getByRole('link', { name: '清掃の新着テスト' }).click();
  await page.getByRole('link', { name: 'この設定を削除する' }).click();
  await checkA11y(page, 'the delete confirmation');
  await page.getByRole('button', { name: '削除する' }).click();
  await page.getByText('通知設定を削除しました。').waitFor();
  assert.equal(await page.getByRole('row', { name: /清掃の新着テスト/ }).count(), 0);
  await context.close();
});

test('the unsubscribe page needs no sign-in and refuses an unknown link', async () => {
  const context = await chromium.browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  const response = await page.goto(`${server.base}/notifications/unsubscribe/not-a-token`);
  await checkA11y(page, 'the unsubscribe page');
  // An unknown link says so at once; there is no button to press in vain.
  assert.equal(response.status(), 404);
  await page.getByRole('heading', { name: 'このURLは使えません' }).waitFor();
  assert.equal(await page.getByRole('button', { name: '配信を停止する' }).count(), 0);
  await context.close();
});
