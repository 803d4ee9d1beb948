// A private order in a real browser, with mail through the test's SMTP
// server: an ordering company drafts a case with a document and submits it,
// the operator returns it with a comment, the company corrects it, the
// operator publishes it, a receiving company finds it and enters with an
// attachment, the two companies exchange messages, and the ordering company
// chooses its partner. Each side follows the links in the mails it gets, and
// every page on the way is checked with axe-core.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeViolations, describe, launchBrowser, startServer, startSmtp } from './harness.mjs';

const PASSWORD = 'Demo-Navi-2026';
const ORDERER = 'hachioji@demo.chance-navi.jp';
const RECEIVER = 'marunouchi@demo.chance-navi.jp';
const OPERATOR = 'operator@demo.chance-navi.jp';
const PDF = Buffer.from('%PDF-1.7\n% demo\n');

let server;
let smtp;
let chromium;

before(async () => {
  smtp = await startSmtp();
  server = await startServer({ extraArgs: ['--demo', '--smtp-url', smtp.url] });
  chromium = await launchBrowser();
});

after(async () => {
  await chromium?.close();
  await server?.stop();
  await smtp?.stop();
});

async function checkA11y(page, where) {
  assert.equal(await page.locator('script').count(), 0, `${where} sends no script`);
  const blocking = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.equal(blocking.length, 0, `${where}:\n${describe(blocking)}`);
}

async function signedIn(email, { javaScriptEnabled = true } = {}) {
  const context = await chromium.browser.newContext({ locale: 'ja-JP', javaScriptEnabled });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  await page.goto(`${server.base}/login`);
  await page.locator('#f-email').fill(email);
  await page.locator('#f-password').fill(PASSWORD);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
  return page;
}

/** Opens the link of the mail to `to` whose subject contains `subject`. */
async function follow(page, to, subject) {
  const link = await smtp.link(to, subject);
  assert.ok(link.startsWith(server.base), `${link} points at the portal`);
  await page.goto(link);
}

test('a private order goes from draft through review and entry to a chosen partner', async () => {
  // The ordering company drafts the case with a document and submits it.
  const orderer = await signedIn(ORDERER);
  assert.equal(await orderer.locator('h1').textContent(), 'マイページ');
  await orderer.getByRole('link', { name: '新しい案件を登録する' }).click();
  await checkA11y(orderer, 'new order form');
  // Submitting it empty shows what is missing.
  await orderer.getByRole('button', { name: '審査に提出する' }).click();
  assert.equal(await orderer.locator('.error-summary').count(), 1);
  assert.match(await orderer.locator('#f-title-error').textContent(), /件名を入力してください/);
  await checkA11y(orderer, 'order form with errors');

  await orderer.getByLabel('技術ニーズ').check();
  await orderer.getByLabel(/^件名/).fill('検査治具の共同開発パートナー募集');
  await orderer.getByLabel(/^内容/).fill('画像検査装置に取り付ける治具の設計と試作をお願いできる企業を探しています。');
  await orderer.getByLabel(/^種別/).selectOption('other');
  await orderer.getByLabel('契約方式').selectOption('negotiated_contract');
  await orderer.getByLabel('エントリーの締切').fill('2099-12-01T17:00');
  await orderer.getByLabel('資料を添付する').setInputFiles({ name: '仕様書.pdf', mimeType: 'application/pdf', buffer: PDF });
  // Enter in a field presses the first button: it saves a draft, it does not submit.
  const buttons = await orderer.locator('main form .form__actions button').allInnerTexts();
  assert.deepEqual(buttons, ['下書きとして保存する', '審査に提出する']);
  await orderer.getByLabel(/^件名/).press('Enter');
  assert.match(await orderer.locator('.notice[role=status]').textContent(), /下書きを保存しました/);
  await orderer.getByRole('button', { name: 'このまま審査に提出する' }).click();
  assert.match(await orderer.locator('.notice').textContent(), /審査に提出しました/);
  await checkA11y(orderer, 'submitted order');
  const orderUrl = orderer.url().replace(/\?.*$/, '');
  const caseId = orderUrl.split('/').pop();

  // The operator is told, and returns it with a comment.
  const operator = await signedIn(OPERATOR);
  await follow(operator, OPERATOR, '案件の審査依頼');
  await checkA11y(operator, 'order review');
  await operator.getByRole('button', { name: '差し戻す' }).click();
  assert.match(await operator.locator('#f-comment-error').textContent(), /コメント/);
  await operator.getByLabel('コメント').fill('試作の数量と希望納期を書き加えてください。');
  await operator.getByRole('button', { name: '差し戻す' }).click();
  assert.equal(await operator.locator('h1').textContent(), '発注企業の案件の審査');
  await checkA11y(operator, 'review queue');

  // The company reads the comment from the mail's link, corrects and resubmits.
  await follow(orderer, ORDERER, '案件の修正のお願い');
  assert.match(await orderer.locator('.error-summary').textContent(), /試作の数量と希望納期/);
  await checkA11y(orderer, 'returned order');
  await orderer.getByRole('link', { name: '編集する' }).click();
  await checkA11y(orderer, 'edit order');
  await orderer
    .getByLabel(/^内容/)
    .fill('画像検査装置に取り付ける治具の設計と試作（3個、2099年3月納期）をお願いできる企業を探しています。');
  await orderer.getByRole('button', { name: '審査に提出する' }).click();
  assert.match(await orderer.locator('.notice').textContent(), /審査に提出しました/);

  // The operator publishes it.
  await operator.goto(`${server.base}/admin/orders/${caseId}`);
  await operator.getByRole('button', { name: '承認して公開する' }).click();
  await smtp.link(ORDERER, '案件を公開しました');

  // A receiving company finds it by a two-character word and enters.
  const receiver = await signedIn(RECEIVER);
  await receiver.getByRole('link', { name: '案件を探す' }).first().click();
  for (let i = 0; i < 50; i += 1) {
    await receiver.locator('#f-q').fill('検査治具 共同開発');
    await receiver.getByRole('button', { name: '検索', exact: true }).click();
    if ((await receiver.getByRole('link', { name: '検査治具の共同開発パートナー募集' }).count()) > 0) break;
    await receiver.waitForTimeout(200);
  }
  await receiver.getByRole('link', { name: '検査治具の共同開発パートナー募集' }).click();
  await checkA11y(receiver, 'public case');
  assert.equal(await receiver.getByRole('link', { name: '仕様書.pdf' }).count(), 1);
  await receiver.getByRole('link', { name: 'この案件にエントリーする' }).click();
  await checkA11y(receiver, 'entry form');
  const entryForm = receiver.url();
  await receiver.getByLabel('発注企業へのメッセージ').fill('精密治具の設計・試作を30年続けています。ぜひご相談ください。');
  await receiver
    .getByLabel('ファイルを添付する')
    .setInputFiles({ name: '会社案内.pdf', mimeType: 'application/pdf', buffer: PDF });
  await receiver.getByRole('button', { name: 'エントリーする' }).click();
  assert.match(await receiver.locator('.notice').textContent(), /エントリーしました/);
  await checkA11y(receiver, 'entry thread (receiver)');
  // Entering again is refused with the reason, and its link says where it leads.
  const thread = receiver.url();
  await receiver.goto(entryForm);
  assert.match(await receiver.locator('main').textContent(), /エントリー済み/);
  await receiver.getByRole('link', { name: 'エントリーのページを開く' }).click();
  assert.equal(receiver.url().split('?')[0], thread.split('?')[0]);
  await smtp.link(RECEIVER, 'エントリーを受け付けました');

  // The ordering company reads the entry from its mail and replies.
  await follow(orderer, ORDERER, 'エントリーがありました');
  await checkA11y(orderer, 'order with entries');
  await orderer.getByRole('link', { name: '株式会社丸の内精工' }).click();
  await checkA11y(orderer, 'entry thread (orderer)');
  assert.equal(await orderer.getByRole('link', { name: '会社案内.pdf' }).count(), 1);
  await orderer.getByRole('textbox', { name: /^返信/ }).fill('ありがとうございます。概算の見積書をお送りください。');
  await orderer.getByRole('button', { name: '送信する' }).click();
  assert.match(await orderer.locator('.notice').textContent(), /送信しました/);

  // The receiving company answers from its mail.
  await follow(receiver, RECEIVER, 'メッセージが届きました');
  assert.match(await receiver.locator('.thread').textContent(), /概算の見積書をお送りください/);
  await receiver.getByRole('textbox', { name: /^返信/ }).fill('見積書を添付します。');
  await receiver
    .getByLabel('ファイルを添付する')
    .setInputFiles({ name: '見積書.pdf', mimeType: 'application/pdf', buffer: PDF });
  await receiver.getByRole('button', { name: '送信する' }).click();
  await smtp.link(ORDERER, 'メッセージが届きました');

  // The ordering company chooses it; both sides are told.
  await orderer.reload();
  assert.equal(await orderer.getByRole('link', { name: '見積書.pdf' }).count(), 1);
  await orderer.getByRole('button', { name: /を取引先に選定する/ }).click();
  // A confirmation first: what happens, what cannot be undone, a way back.
  await orderer.getByRole('heading', { name: '取引先に選定してよろしいですか' }).waitFor();
  assert.match(await orderer.locator('.caution').textContent(), /取り消せません/);
  await checkA11y(orderer, 'the choice confirmation');
  await orderer.getByRole('link', { name: '選定せずにやり取りに戻る' }).click();
  await orderer.getByRole('button', { name: /を取引先に選定する/ }).click();
  await orderer.getByRole('button', { name: '取引先に選定する', exact: true }).click();
  assert.match(await orderer.locator('.notice').textContent(), /取引先の選定を記録しました/);
  await checkA11y(orderer, 'decided order');
  await smtp.link(ORDERER, '取引先の選定を記録しました');
  await follow(receiver, RECEIVER, '取引先に選定されました');
  assert.match(await receiver.locator('.facts').textContent(), /選定/);
  await receiver.goto(`${server.base}/cases/${caseId}`);
  assert.match(await receiver.locator('.badge--plain').textContent(), /決定済み/);
});

test('calling off an order asks first, and works without JavaScript', async () => {
  const orderer = await signedIn(ORDERER, { javaScriptEnabled: false });
  await orderer.goto(`${server.base}/mypage/orders/new`);
  await orderer.getByLabel('民間発注案件', { exact: true }).check();
  await orderer.getByLabel(/^件名/).fill('倉庫棚の移設工事');
  await orderer.getByLabel(/^内容/).fill('倉庫内の棚（20台）の移設をお願いします。');
  await orderer.getByLabel(/^種別/).selectOption('other');
  await orderer.getByLabel('契約方式').selectOption('negotiated_contract');
  await orderer.getByLabel('エントリーの締切').fill('2099-12-01T17:00');
  await orderer.getByRole('button', { name: '下書きとして保存する' }).click();
  assert.match(await orderer.locator('.notice[role=status]').textContent(), /下書きを保存しました/);
  const orderUrl = orderer.url().replace(/\?.*$/, '');
  const caseId = orderUrl.split('/').pop();
  await orderer.getByRole('button', { name: 'このまま審査に提出する' }).click();
  const operator = await signedIn(OPERATOR, { javaScriptEnabled: false });
  await operator.goto(`${server.base}/admin/orders/${caseId}`);
  await operator.getByRole('button', { name: '承認して公開する' }).click();

  await orderer.goto(orderUrl);
  await orderer.getByRole('button', { name: 'この案件の募集を中止する' }).click();
  await orderer.getByRole('heading', { name: '募集を中止してよろしいですか' }).waitFor();
  // Backing out changes nothing.
  await orderer.getByRole('link', { name: '中止せずに案件のページに戻る' }).click();
  await orderer.getByRole('button', { name: 'この案件の募集を中止する' }).click();
  await orderer.getByRole('button', { name: '募集を中止する', exact: true }).click();
  assert.match(await orderer.locator('.notice[role=status]').textContent(), /中止/);
});
