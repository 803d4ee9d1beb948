// An e-tender from notice to published result in a real browser, on SQLite
// and on PostgreSQL, with mail through the test's SMTP server: the
// organisation's staff write and publish the notice with its 入札説明書,
// three companies apply with documents, one asks a question that is answered
// publicly, staff review the applications (one refused with a reason, then
// admitted), bring the schedule forward (変更公告), two companies bid the
// same amount and one declines, staff open the bids after the deadline, the
// tie is settled by 電子くじ, the award is made and the result published —
// and anyone can draw the くじ again from the published figures. Every page on
// the way is checked with axe-core.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { axeViolations, describe, launchBrowser, startServer, startSmtp } from './harness.mjs';

const PASSWORD = 'Demo-Navi-2026';
const STAFF = 'orgstaff@demo.chance-navi.jp';
const BIDDERS = [
  { email: 'marunouchi@demo.chance-navi.jp', name: '株式会社丸の内精工', kuji: '123' },
  { email: 'sumidagawa@demo.chance-navi.jp', name: '有限会社隅田川印刷', kuji: '789' },
  { email: 'tamaclean@demo.chance-navi.jp', name: '多摩クリーンサービス株式会社' },
];
const PDF = Buffer.from('%PDF-1.7\n% 入札説明書\n');

let smtp;
let chromium;

before(async () => {
  smtp = await startSmtp();
  chromium = await launchBrowser();
});

after(async () => {
  await chromium?.close();
  await smtp?.stop();
});

/** A fresh database on the test's PostgreSQL cluster. */
function postgresDatabase() {
  const base = process.env.CHANCE_NAVI_TEST_PG_URL;
  assert.ok(base, 'CHANCE_NAVI_TEST_PG_URL is set (scripts/test starts PostgreSQL)');
  const name = `browser_tenders_${process.pid}_${Date.now()}`;
  const r = spawnSync('psql', [`${base}/postgres`, '-q', '-c', `CREATE DATABASE ${name}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return `${base}/${name}`;
}

/** JST "YYYY-MM-DDTHH:MM:SS" for a datetime-local input. */
function jst(ms) {
  return new Date(ms + 9 * 3600_000).toISOString().slice(0, 19);
}

async function story(extraArgs) {
  const server = await startServer({ extraArgs: ['--demo', '--smtp-url', smtp.url, ...extraArgs] });
  const contexts = [];
  try {
    const open = async (email, { javaScriptEnabled = true } = {}) => {
      const context = await chromium.browser.newContext({ locale: 'ja-JP', javaScriptEnabled });
      contexts.push(context);
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      if (email) {
        await page.goto(`${server.base}/login`);
        await page.locator('#f-email').fill(email);
        await page.locator('#f-password').fill(PASSWORD);
        await page.getByRole('button', { name: 'ログイン', exact: true }).click();
      }
      return page;
    };
    // Both runs share the SMTP server: only this server's mail counts.
    const mailLink = (to, subject) => smtp.link(to, subject, server.base);
    const checkA11y = async (page, where) => {
      assert.equal(await page.locator('script').count(), 0, `${where} sends no script`);
      const blocking = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.equal(blocking.length, 0, `${where}:\n${describe(blocking)}`);
    };

    // 公告: staff write the notice with its document and publish it.
    const staff = await open(STAFF);
    assert.match(new URL(staff.url()).pathname, /^\/org\/tenders$/, 'organisation staff land on their tenders');
    await checkA11y(staff, 'the tender list');
    await staff.getByRole('link', { name: '電子入札案件を作成する' }).click();
    await checkA11y(staff, 'the tender form');
    const now = Date.now();
    const minute = 60_000;
    const hour = 60 * minute;
    await staff.locator('#f-department').selectOption({ index: 1 });
    await staff.locator('#f-title').fill('市民会館清掃業務委託');
    await staff.locator('#f-description').fill('市民会館の日常清掃と定期清掃（令和9年4月から1年間）。');
    await staff.locator('#f-category').selectOption('services');
    await staff.locator('#f-procedure').selectOption('open_competitive');
    await staff.locator('#f-published_at').fill(jst(now - 30 * minute).slice(0, 16));
    await staff.locator('#f-application_deadline').fill(jst(now + 24 * hour).slice(0, 16));
    await staff.locator('#f-qualification_notice_at').fill(jst(now + 25 * hour).slice(0, 16));
    await staff.locator('#f-bidding_opens_at').fill(jst(now + 26 * hour).slice(0, 16));
    await staff.locator('#f-bid_deadline').fill(jst(now + 48 * hour).slice(0, 16));
    await staff.locator('#f-opening_at').fill(jst(now + 49 * hour).slice(0, 16));
    await staff.locator('#f-ceiling_yen').fill('１,０００,０００');
    await staff.locator('#f-minimum_yen').fill('800000');
    await staff.getByLabel('最低価格落札方式：最も安い有効な入札が落札').check();
    await staff.getByLabel('A等級', { exact: true }).check();
    await staff.getByLabel('B等級', { exact: true }).check();
    await staff.locator('#f-requested_documents').fill('競争参加資格確認申請書');
    await staff.locator('#f-files').setInputFiles({ name: '入札説明書.pdf', mimeType: 'application/pdf', buffer: PDF });
    await staff.getByRole('button', { name: '下書きとして保存する' }).click();
    await staff.getByText('下書きを保存しました。').waitFor();
    const id = new URL(staff.url()).pathname.split('/').pop();
    await checkA11y(staff, 'the draft tender');
    await staff.getByRole('button', { name: '公告する' }).click();
    await staff.getByRole('heading', { name: '公告してよろしいですか' }).waitFor();
    await checkA11y(staff, 'the publication confirmation');
    await staff.getByRole('button', { name: '公告する' }).click();
    await staff.getByText('公告しました。').waitFor();
    await checkA11y(staff, 'the published tender');

    // 参加希望申請 with documents, and a question.
    const bidders = [];
    for (const [i, b] of BIDDERS.entries()) {
      // The third company goes through everything without JavaScript.
      const page = await open(b.email, { javaScriptEnabled: i !== 2 });
      await page.goto(`${server.base}/cases/${id}`);
      await page.getByRole('link', { name: '参加を申請する' }).click();
      // axe runs as a script: not in the page without JavaScript.
      if (i !== 2) await checkA11y(page, 'the application form');
      await page.locator('#f-grade').selectOption('A');
      await page.locator('#f-message').fill('同種業務の実績があります。');
      await page.locator('#f-files').setInputFiles({ name: '申請書.pdf', mimeType: 'application/pdf', buffer: PDF });
      await page.getByRole('button', { name: '参加を申請する' }).click();
      await page.getByRole('heading', { name: '参加申請を受け付けました' }).waitFor();
      bidders.push(page);
    }
    await mailLink(BIDDERS[0].email, '参加申請を受け付けました');
    const asker = bidders[0];
    await asker.goto(`${server.base}/cases/${id}`);
    await checkA11y(asker, 'the case page of an applicant');
    await asker.locator('#f-question').fill('床面積の合計を教えてください。');
    await asker.getByRole('button', { name: '質問を送る' }).click();
    await asker.getByText('質問を受け付けました。').waitFor();

    // Staff answer publicly, refuse one application with a reason, then admit all.
    await staff.goto(await mailLink(STAFF, '質問がありました'));
    await staff.getByLabel('質問 1 への回答').fill('延べ床面積は約3,200平方メートルです。');
    await staff.getByRole('button', { name: '回答を公表する' }).click();
    await staff.getByText('回答を公表し').waitFor();
    const review = (name) => staff.getByRole('form', { name: `${name}の資格審査` });
    await review(BIDDERS[2].name).getByRole('button', { name: '認めない' }).click();
    await staff.getByText('参加資格を認めない理由を入力してください。').waitFor();
    await checkA11y(staff, 'a refused decision');
    await review(BIDDERS[2].name).getByLabel(`${BIDDERS[2].name}：参加資格を認めない理由`).fill('確認申請書の押印がありません。');
    await review(BIDDERS[2].name).getByRole('button', { name: '認めない' }).click();
    await staff.getByText('資格審査の結果を登録し').waitFor();
    const refusal = await mailLink(BIDDERS[2].email, '資格審査の結果（参加資格なし）');
    assert.ok(refusal.includes(`/cases/${id}`));
    for (const b of BIDDERS) {
      await review(b.name).getByRole('button', { name: `${b.name}の参加資格を認める` }).click();
      await staff.getByText('資格審査の結果を登録し').waitFor();
    }
    await checkA11y(staff, 'the reviewed tender');
    const visitor = await open();
    await visitor.goto(`${server.base}/cases/${id}`);
    await visitor.getByText('延べ床面積は約3,200平方メートルです。').waitFor();
    assert.equal(await visitor.getByText(BIDDERS[0].name).count(), 0, 'the asker is not named');

    // 変更公告: bidding opens now and closes in half a minute.
    const start = Date.now();
    const deadline = Math.ceil((start + 45_000) / 1000) * 1000;
    await staff.locator('#a-application_deadline').fill(jst(start - 3 * minute));
    await staff.locator('#a-qualification_notice_at').fill(jst(start - 3 * minute));
    await staff.locator('#a-bidding_opens_at').fill(jst(start - 2 * minute));
    await staff.locator('#a-bid_deadline').fill(jst(deadline));
    await staff.locator('#a-opening_at').fill(jst(deadline));
    await staff.locator('#a-note').fill('日程を早めます。');
    await staff.getByRole('button', { name: '変更公告する' }).click();
    await staff.getByText('変更公告しました。').waitFor();
    await mailLink(BIDDERS[1].email, '変更公告のお知らせ');

    // Two equal bids, following the link in the mail; the third company declines.
    const receipts = [];
    for (const [i, b] of BIDDERS.slice(0, 2).entries()) {
      const page = bidders[i];
      await page.goto(await mailLink(b.email, '資格審査の結果（参加資格あり）'));
      await checkA11y(page, 'the bid form');
      if (i === 0) {
        // ¥0 is no bid: said beside the field, in Japanese, before any confirmation.
        await page.locator('#f-amount').fill('0');
        await page.locator('#f-kuji').fill(b.kuji);
        await page.getByRole('button', { name: '確認画面へ進む' }).click();
        assert.match(await page.locator('#f-amount-error').textContent(), /1円以上/);
      }
      await page.locator('#f-amount').fill(i === 0 ? '９００，０００' : '900000');
      await page.locator('#f-kuji').fill(b.kuji);
      await page.getByRole('button', { name: '確認画面へ進む' }).click();
      // The confirmation repeats the amount; nothing is sealed yet.
      await page.getByRole('heading', { name: '入札内容の確認' }).waitFor();
      await checkA11y(page, 'the bid confirmation');
      const facts = await page.locator('main dl').innerText();
      assert.ok(facts.includes('金900,000円（税抜）'), facts);
      assert.ok(facts.includes('市民会館清掃業務委託'), facts);
      if (i === 0) {
        // 修正する: back to the form with what was typed.
        await page.getByRole('button', { name: '修正する' }).click();
        assert.equal(await page.locator('#f-amount').inputValue(), '900000');
        assert.equal(await page.locator('#f-kuji').inputValue(), b.kuji);
        await page.getByRole('button', { name: '確認画面へ進む' }).click();
      }
      await page.getByRole('button', { name: 'この内容で入札する' }).click();
      await page.getByRole('heading', { name: '入札を受け付けました' }).waitFor();
      await checkA11y(page, 'the receipt');
      const text = await page.locator('main').innerText();
      const ms = Number(text.match(/受付時刻：\S+ \d\d:\d\d:\d\d\.(\d{3})/)[1]);
      const receiptNo = text.match(/受付番号：(\S+)/)[1];
      const hash = text.match(/（SHA-256）：([0-9a-f]{64})/)[1];
      // The receipt mail: number and hash, never the amount.
      await mailLink(b.email, `入札を受け付けました（受付番号 ${receiptNo}）`);
      // Both runs' demo data number receipts alike: this server's mail is the one linking to it.
      const mail = smtp.messages().find((m) => m.to.includes(b.email) && m.subject.includes(receiptNo) && m.text.includes(server.base));
      assert.ok(mail.text.includes(hash), mail.text);
      assert.ok(!/900[,，]?000|９００/.test(mail.text), `no amount in the mail: ${mail.text}`);
      receipts.push({ ...b, ms });
    }
    // My page lists the e-tender with where the company stands.
    await bidders[0].goto(`${server.base}/mypage`);
    const mine = bidders[0].getByRole('table', { name: '電子入札' });
    assert.match(await mine.innerText(), /市民会館清掃業務委託[\s\S]*入札済み（受付番号/);
    await checkA11y(bidders[0], 'my page with its e-tenders');
    const decliner = bidders[2];
    await decliner.goto(`${server.base}/cases/${id}`);
    await decliner.getByRole('link', { name: '辞退する' }).click();
    await decliner.getByRole('heading', { name: '入札を辞退してよろしいですか' }).waitFor();
    assert.match(await decliner.locator('.caution').innerText(), /取り消せません/);
    await decliner.getByRole('button', { name: '辞退する' }).click();
    await decliner.getByRole('heading', { name: '辞退を受け付けました' }).waitFor();

    // 開札 after the deadline; the tie goes to くじ; 落札決定.
    await staff.waitForTimeout(Math.max(0, deadline - Date.now() + 500));
    await staff.goto(`${server.base}/org/tenders/${id}`);
    await staff.getByRole('button', { name: '開札する' }).click();
    await staff.getByRole('heading', { name: '開札してよろしいですか' }).waitFor();
    await staff.getByRole('button', { name: '開札する' }).click();
    await staff.getByText('開札しました。').waitFor();
    await checkA11y(staff, 'the opened tender');
    await staff.getByRole('button', { name: '落札者を決定する' }).click();
    await staff.getByRole('heading', { name: '落札者を決定してよろしいですか' }).waitFor();
    await checkA11y(staff, 'the award confirmation');
    await staff.getByRole('button', { name: '落札者を決定する' }).click();
    await staff.getByText('落札者を決定し').waitFor();

    // The published result, and the くじ drawn again from it.
    await visitor.goto(`${server.base}/cases/${id}`);
    await checkA11y(visitor, 'the published result');
    const results = visitor.getByRole('table', { name: '入札結果' });
    await results.waitFor();
    const rows = await results.locator('tbody tr').allInnerTexts();
    assert.equal(rows.length, 2, 'two bids, the decline is none');
    const parts = receipts.map((r) => Number(r.kuji) + r.ms);
    const sum = parts.reduce((a, b) => a + b, 0);
    const winner = receipts[sum % 2];
    const won = rows.find((r) => r.includes('落札'));
    assert.ok(won.includes(winner.name), `${winner.name} wins by the published rule: ${rows.join(' / ')}`);
    const kuji = await visitor.locator('main').innerText();
    assert.ok(kuji.includes(`合計 ${sum} ÷ 2人 の余り ＝ ${sum % 2}`), kuji);
    assert.ok(kuji.includes('1,000,000円'), '予定価格 published after the opening');
    await mailLink(winner.email, '落札者決定のお知らせ');
  } finally {
    for (const c of contexts) await c.close();
    await server.stop();
  }
}

test('an e-tender runs from notice to published result on SQLite', async () => {
  await story([]);
});

test('an e-tender runs from notice to published result on PostgreSQL', async () => {
  await story(['--database-url', postgresDatabase()]);
});
