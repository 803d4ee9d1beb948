// What a person is told when something cannot be done, in a real browser:
// a URL too long for the server, a made-up unsubscribe or confirmation link
// — each the portal's own page in Japanese, with a way on, and no serious
// accessibility violation — and why their mail was stopped.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { axeViolations, describe, launchBrowser, runCli, startServer, startSmtp } from './harness.mjs';

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

test('a digest shows its deadline once; mail stopped from its unsubscribe link: the settings page says why, in a sentence', async () => {
  const smtp = await startSmtp();
  const own = await startServer({ extraArgs: ['--demo', '--smtp-url', smtp.url] });
  const dir = mkdtempSync(join(tmpdir(), 'chance-navi-kkj-'));
  try {
    const context = await chromium.browser.newContext({ locale: 'ja-JP' });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(`${own.base}/login`);
    await page.locator('#f-email').fill('marunouchi@demo.chance-navi.jp');
    await page.locator('#f-password').fill('Demo-Navi-2026');
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.goto(`${own.base}/mypage/notifications/new`);
    await page.locator('#f-name').fill('停止の確認');
    await page.locator('#f-keywords').fill('停止確認用');
    await page.getByLabel('公開されたらすぐ').check();
    await page.getByRole('button', { name: '保存する' }).click();
    await page.getByText('通知設定を保存しました。').waitFor();

    // A matching case arrives; the pass mails it.
    const file = join(dir, 'kkj.xml');
    writeFileSync(
      file,
      '<?xml version="1.0" encoding="UTF-8"?><Results><SearchResults><SearchHits>1</SearchHits>' +
        '<SearchResult><Key>stop-check-1</Key><ProjectName>停止確認用の清掃業務</ProjectName>' +
        '<OrganizationName>東京都</OrganizationName><PrefectureName>東京都</PrefectureName>' +
        '<TenderSubmissionDeadline>2099-12-03T16:50:00+09:00</TenderSubmissionDeadline></SearchResult>' +
        '</SearchResults></Results>',
    );
    runCli(['import', 'run', '--source', 'kkj', '--file', file, '--data-dir', own.dataDir]);
    runCli(['notify', 'run', '--data-dir', own.dataDir, '--smtp-url', smtp.url]);
    let mail;
    // The server's own minute pass may be the one that sends it.
    for (let i = 0; i < 300 && !mail; i += 1) {
      mail = smtp.messages().find((m) => m.text.includes('停止確認用の清掃業務'));
      if (!mail) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(mail, `the digest arrived: ${JSON.stringify(smtp.messages().map((m) => m.subject))}`);
    // The deadline once, with its era and time.
    assert.ok(mail.text.includes('締切 2099年12月3日（令和81年） 16:50'), mail.text);
    assert.equal(mail.text.split('2099年12月3日').length - 1, 1, mail.text);
    const unsubscribe = new URL(mail.text.match(/https?:\/\/\S*\/notifications\/unsubscribe\/\S+/)[0]);
    await page.goto(own.base + unsubscribe.pathname);
    await page.getByRole('button', { name: '配信を停止する' }).click();
    await page.getByRole('heading', { name: '配信を停止しました' }).waitFor();

    await page.goto(`${own.base}/mypage/notifications`);
    const said = await page.locator('main').textContent();
    assert.match(said, /通知メールを停止しています。理由：メールの配信停止リンクから停止の手続きがありました。/);
    assert.ok(!said.includes('あったのため'), said);
    const blocking = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.equal(blocking.length, 0, describe(blocking));
    await context.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await own.stop();
    await smtp.stop();
  }
});
