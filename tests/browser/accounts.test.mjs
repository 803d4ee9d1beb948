// The account journey in a real browser: a company applies, confirms its
// address from the mail, an operator approves it, its user signs in, invites a
// colleague who sets a password, and edits the profile. Every page visited is
// checked with axe-core (no serious or critical violation).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { axeViolations, describe, launchBrowser, runCli, startServer, startSmtp } from './harness.mjs';

let chromium;
const OPERATOR = { email: 'operator@navi.example.jp', password: 'Operator-2026!' };
const APPLICANT = { email: 'hanako@chance-seiki.example.jp', password: 'Sumida-2026!' };
const COLLEAGUE = { email: 'jiro@chance-seiki.example.jp', password: 'Jiro-navi-2026' };

before(async () => {
  chromium = await launchBrowser();
});

after(async () => {
  await chromium?.close();
});

/**
 * The portal on a new data directory, on SQLite or on a new database of the
 * test PostgreSQL server, with an operator created through the command line.
 */
async function portal(engine) {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dataDir = mkdtempSync(join(tmpdir(), 'chance-navi-browser-'));
  let db = [];
  if (engine === 'postgres') {
    const pg = process.env.CHANCE_NAVI_TEST_PG_URL;
    assert.ok(pg, 'CHANCE_NAVI_TEST_PG_URL is not set: run scripts/test, which starts a throwaway PostgreSQL');
    const base = pg.replace(/\/$/, '');
    const name = `cn_browser_${process.pid}_${Date.now()}`;
    const created = spawnSync('psql', [`${base}/postgres`, '-qc', `CREATE DATABASE ${name}`], { encoding: 'utf8' });
    assert.equal(created.status, 0, `cannot create a test database with psql: ${created.stderr}`);
    db = ['--database-url', `${base}/${name}`];
  }
  runCli(
    ['user', 'create', '--data-dir', dataDir, ...db, '--role', 'operator', '--email', OPERATOR.email, '--name', '運営 花子'],
    `${OPERATOR.password}\n`,
  );
  const smtp = await startSmtp();
  const server = await startServer({ dataDir, extraArgs: ['--smtp-url', smtp.url, ...db] });
  return { server, smtp };
}

async function checkA11y(page, where) {
  const blocking = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.equal(blocking.length, 0, `${where}:\n${describe(blocking)}`);
}

async function signIn(server, page, who) {
  await page.goto(`${server.base}/login`);
  await checkA11y(page, 'login');
  await page.locator('#f-email').fill(who.email);
  await page.locator('#f-password').fill(who.password);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
}

for (const engine of ['sqlite', 'postgres']) {
  test(`a company applies, is approved, signs in, invites a colleague and edits its profile (${engine})`, async () => {
    const { server, smtp } = await portal(engine);
    try {
      await journey(server, smtp);
    } finally {
      await server.stop();
      await smtp.stop();
    }
  });
}

async function journey(server, smtp) {
  const applicant = await (await chromium.browser.newContext({ locale: 'ja-JP' })).newPage();

  // An empty application shows what is missing, beside each field and in a summary.
  await applicant.goto(`${server.base}/apply`);
  await checkA11y(applicant, 'apply');
  await applicant.getByRole('button', { name: '申請する' }).click();
  assert.equal(await applicant.locator('.error-summary').count(), 1);
  assert.match(await applicant.locator('#f-name-error').textContent(), /会社名を入力してください/);
  assert.match(await applicant.locator('#f-phone-error').textContent(), /電話番号を入力してください/);
  // The focus is on the summary, which says the password must be typed again.
  assert.equal(await applicant.evaluate(() => document.activeElement.className), 'error-summary');
  assert.match(await applicant.locator('.error-summary').textContent(), /パスワードをもう一度入力してください/);
  await checkA11y(applicant, 'apply with errors');

  // Full-width digits and hyphens are accepted.
  await applicant.locator('#f-corporate_number').fill('７０００－０１２０－５０００２');
  await applicant.getByLabel('会社名（屋号）').fill('株式会社チャンス精機');
  await applicant.getByLabel('会社名のフリガナ').fill('チャンスセイキ');
  await applicant.getByLabel('代表者名').fill('佐藤 一郎');
  await applicant.getByLabel('郵便番号').fill('１３０－００１２');
  await applicant.getByLabel('都道府県').selectOption('13');
  await applicant.getByLabel('市区町村・番地・建物名').fill('墨田区太平4-1-3');
  await applicant.getByLabel('電話番号').fill('０３－５６７８－１２３４');
  await applicant.getByLabel('業種（日本標準産業分類）').selectOption('26');
  await applicant.getByLabel('受注したい（受注企業）').check();
  await applicant.locator('#f-user_name').fill('佐藤 花子');
  await applicant.locator('#f-email').fill(APPLICANT.email);
  await applicant.locator('#f-password').fill(APPLICANT.password);
  await applicant.locator('#f-password_confirm').fill(APPLICANT.password);
  await applicant.getByLabel(/利用規約.*に同意します/).check();
  await applicant.getByRole('button', { name: '申請する' }).click();
  assert.equal(await applicant.locator('h1').textContent(), '確認メールを送信しました');

  const confirm = await smtp.link(APPLICANT.email, 'メールアドレスの確認');
  await applicant.goto(confirm);
  await checkA11y(applicant, 'confirm');
  await applicant.getByRole('button', { name: /メールアドレスを確認/ }).click();
  assert.equal(await applicant.locator('h1').textContent(), '利用申請を受け付けました');
  // The link opened again says the address is confirmed and what comes next.
  await applicant.goto(confirm);
  assert.equal(await applicant.locator('h1').textContent(), 'メールアドレスは確認済みです');
  assert.match(await applicant.locator('main').textContent(), /審査しています/);
  await checkA11y(applicant, 'confirmed already');

  // The operator approves the application.
  const operator = await (await chromium.browser.newContext({ locale: 'ja-JP' })).newPage();
  await signIn(server, operator, OPERATOR);
  assert.equal(await operator.locator('h1').textContent(), '管理画面');
  await checkA11y(operator, 'admin');
  await operator.getByRole('link', { name: '利用企業の審査' }).click();
  await checkA11y(operator, 'review queue');
  await operator.getByRole('link', { name: '株式会社チャンス精機' }).click();
  await checkA11y(operator, 'company');
  await operator.getByRole('button', { name: '承認する' }).click();
  assert.match(await operator.locator('.notice').textContent(), /お知らせしました/);
  await smtp.link(APPLICANT.email, '承認しました');

  // The applicant signs in and invites a colleague.
  await signIn(server, applicant, APPLICANT);
  assert.equal(await applicant.locator('h1').textContent(), 'マイページ');
  await checkA11y(applicant, 'mypage');
  await applicant.getByRole('link', { name: /利用者の管理/ }).click();
  await checkA11y(applicant, 'users');
  await applicant.locator('#f-name').fill('鈴木 次郎');
  await applicant.locator('#f-email').fill(COLLEAGUE.email);
  await applicant.getByRole('button', { name: '招待メールを送る' }).click();
  assert.match(await applicant.locator('.notice').textContent(), /招待メールを送信しました/);

  const invitation = await smtp.link(COLLEAGUE.email, '招待');
  const colleague = await (await chromium.browser.newContext({ locale: 'ja-JP' })).newPage();
  await colleague.goto(invitation);
  await checkA11y(colleague, 'invitation');
  await colleague.locator('#f-password').fill(COLLEAGUE.password);
  await colleague.locator('#f-password_confirm').fill(COLLEAGUE.password);
  await colleague.getByRole('button', { name: 'パスワードを設定する' }).click();
  await signIn(server, colleague, COLLEAGUE);
  // The colleague agrees to the terms before anything else.
  assert.equal(await colleague.locator('h1').textContent(), '利用規約への同意');
  await checkA11y(colleague, 'terms agreement');
  await colleague.getByLabel(/利用規約.*に同意します/).check();
  await colleague.getByRole('button', { name: '同意して続ける' }).click();
  assert.equal(await colleague.locator('h1').textContent(), 'マイページ');

  // The colleague edits the profile.
  await colleague.getByRole('link', { name: '会社情報の変更' }).click();
  await checkA11y(colleague, 'company profile');
  await colleague.getByLabel('事業内容').fill('精密部品に加えて、検査治具の設計も始めました。');
  await colleague.getByRole('button', { name: '保存する' }).click();
  assert.match(await colleague.locator('.notice').textContent(), /保存しました/);

  // Signing out works without JavaScript's help: it is a plain form.
  await colleague.getByRole('button', { name: 'ログアウト' }).click();
  await colleague.goto(`${server.base}/mypage`);
  assert.match(colleague.url(), /\/login\?next=/);

  // The company's administrator manages colleagues: an invitation resent,
  // then withdrawn; a colleague removed after a confirmation page.
  await applicant.goto(`${server.base}/mypage/users`);
  await applicant.locator('#f-name').fill('佐藤 三郎');
  await applicant.locator('#f-email').fill('saburo@chance-seiki.example.jp');
  await applicant.getByRole('button', { name: '招待メールを送る' }).click();
  await applicant.locator('.member__actions button', { hasText: '招待メールを再送する（佐藤 三郎）' }).click();
  assert.match(await applicant.locator('[role=status]').textContent(), /再送しました/);
  await checkA11y(applicant, 'users with an invitation');
  await applicant.locator('.member__actions button', { hasText: '招待を取り消す（佐藤 三郎）' }).click();
  assert.match(await applicant.locator('[role=status]').textContent(), /取り消しました/);
  assert.equal(await applicant.getByText('saburo@chance-seiki.example.jp').count(), 0);
  await applicant.locator('.member__actions a', { hasText: '削除する（鈴木 次郎）' }).click();
  assert.equal(await applicant.locator('h1').textContent(), '利用者の削除');
  await checkA11y(applicant, 'remove a colleague');
  await applicant.getByRole('button', { name: '削除する', exact: true }).click();
  assert.match(await applicant.locator('[role=status]').textContent(), /削除しました/);
  await signIn(server, colleague, COLLEAGUE);
  assert.match(await colleague.locator('main').textContent(), /会社の管理者によって利用者から削除されています/);
}
