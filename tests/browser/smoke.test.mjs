// Browser smoke test: the top page, the 404 page, search, the public audit checkpoints, the terms, contact and site map, the site's news, posts and pages at desktop and mobile
// widths, in real headless Chromium, with no serious or critical axe violation.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe as suite, test } from 'node:test';
import { axeViolations, describe, launchBrowser, runCli, startServer, VIEWPORTS } from './harness.mjs';

const SHOTS = new URL('./test-results/', import.meta.url).pathname;
let server;
let chromium;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer({ extraArgs: ['--demo'] });
  // A signed checkpoint, so that the public page shows its table.
  runCli(['audit', 'checkpoint', '--data-dir', server.dataDir]);
  chromium = await launchBrowser();
});

after(async () => {
  await chromium?.close();
  await server?.stop();
});

const PAGES = [
  { name: 'top', path: '/', status: 200, h1: '中小企業のビジネスチャンスを、ひとつの場所で。' },
  { name: '404', path: '/no-such-page', status: 404, h1: 'ページが見つかりません' },
  { name: 'cases', path: '/cases?q=%E6%B8%85%E6%8E%83&status=open', status: 200, h1: '案件を探す' },
  { name: 'audit-checkpoints', path: '/audit/checkpoints', status: 200, h1: '監査ログのチェックポイント' },
  { name: 'terms', path: '/terms', status: 200, h1: '利用規約' },
  { name: 'contact', path: '/contact', status: 200, h1: 'お問い合わせ' },
  { name: 'sitemap', path: '/sitemap', status: 200, h1: 'サイトマップ' },
  { name: 'news', path: '/news', status: 200, h1: 'お知らせ・新着情報' },
  { name: 'news-category', path: '/news/category/competition', status: 200, h1: '世界発信コンペティション' },
  { name: 'post-event', path: '/news/fair-2027', status: 200, h1: 'ビジネスフロンティア・フェア2027 出展者を募集します' },
  { name: 'post-winners', path: '/news/competition-2026-service-winners', status: 200, h1: '世界発信コンペティション2026 サービス部門の受賞企業が決まりました' },
  { name: 'page-project', path: '/project', status: 200, h1: '中小企業世界発信プロジェクト' },
  { name: 'site-search', path: '/search?q=%E3%83%95%E3%82%A7%E3%82%A2', status: 200, h1: 'サイト内検索' },
  { name: 'page-programme', path: '/project/competition', status: 200, h1: '世界発信コンペティション' },
  { name: 'help-missing', path: '/help/topics/no-such-help', status: 200, h1: 'ヘルプ' },
];

for (const [width, viewport] of Object.entries(VIEWPORTS)) {
  suite(`${width} (${viewport.width}px)`, () => {
    for (const p of PAGES) {
      test(`${p.name} page has no serious or critical accessibility violation`, async () => {
        const context = await chromium.browser.newContext({ viewport, locale: 'ja-JP' });
        const page = await context.newPage();
        const foreign = [];
        page.on('request', (r) => {
          if (!r.url().startsWith(server.base)) foreign.push(r.url());
        });
        const response = await page.goto(server.base + p.path);
        assert.equal(response.status(), p.status);
        assert.equal(await page.getAttribute('html', 'lang'), 'ja');
        assert.equal((await page.textContent('h1')).trim(), p.h1);
        assert.deepEqual(foreign, [], 'nothing is fetched from another origin');

        const violations = await axeViolations(page);
        const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        assert.equal(blocking.length, 0, describe(blocking));

        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px too wide)`);

        await page.screenshot({ path: `${SHOTS}${p.name}-${width}.png`, fullPage: true });
        await context.close();
      });
    }

    test('the skip link is the first stop of the keyboard and leads to the main content', async () => {
      const context = await chromium.browser.newContext({ viewport, locale: 'ja-JP' });
      const page = await context.newPage();
      await page.goto(server.base + '/');
      await page.keyboard.press('Tab');
      const first = await page.evaluate(() => ({
        text: document.activeElement.textContent.trim(),
        visible: document.activeElement.getBoundingClientRect().top >= 0,
      }));
      assert.deepEqual(first, { text: '本文へ移動', visible: true });
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
      // The navigation can be reached and followed by keyboard alone.
      await page.keyboard.press('Shift+Tab');
      const labels = [];
      await page.goto(server.base + '/');
      for (let i = 0; i < 7; i += 1) {
        await page.keyboard.press('Tab');
        labels.push(await page.evaluate(() => document.activeElement.textContent.trim()));
      }
      assert.deepEqual(labels.slice(2, 6), ['案件を探す', 'お知らせ', '利用申請', 'ログイン']);
      await context.close();
    });
  });
}
