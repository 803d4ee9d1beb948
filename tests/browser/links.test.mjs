// Every internal link of every page type, for every role: a crawl from each
// role's start pages that follows each link a page shows (a few of each page
// type — paths alike but for their numbers, with the same query keys) and
// fails on any link that answers 404 or a server error — for every role of
// domain::Role (visitor, applicant, both kinds of company, the four staff
// roles). It stays for every
// page added later: a link to a page that does not exist cannot land.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, startServer } from './harness.mjs';

const PASSWORD = 'Demo-Navi-2026';
const ROLES = [
  { who: 'visitor', start: ['/', '/sitemap', '/cases'] },
  { who: 'marunouchi', start: ['/', '/mypage', '/sitemap'] },
  { who: 'hachioji', start: ['/', '/mypage', '/sitemap'] },
  // A company whose application was sent back (the applicant role).
  { who: 'chibagreen', start: ['/', '/mypage/application', '/sitemap'] },
  { who: 'admin', start: ['/', '/admin', '/sitemap'] },
  { who: 'operator', start: ['/', '/admin', '/sitemap'] },
  { who: 'ops', start: ['/', '/admin', '/sitemap'] },
  { who: 'orgstaff', start: ['/', '/org/tenders', '/sitemap'] },
];
/** Pages of one type opened per role; links of one type checked per role. */
const PER_TYPE = 2;
const CHECKS_PER_TYPE = 3;

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

/** A page type: the path with its numbers left out, and the query's keys. */
export function pageType(url) {
  const u = new URL(url);
  const path = u.pathname.replace(/\/\d+(?=\/|$)/g, '/:n').replace(/\/[0-9a-f]{16,}(?=\/|$)/gi, '/:token');
  const keys = [...new Set([...u.searchParams.keys()])].sort().join('&');
  return keys ? `${path}?${keys}` : path;
}

const ENTITIES = { '&amp;': '&', '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>', '&#x27;': "'" };

/** The same-origin links of an HTML page, absolute, without fragments. */
function links(html, pageUrl) {
  const out = [];
  for (const m of html.matchAll(/<a\b[^>]*\shref="([^"]*)"/g)) {
    const raw = m[1].replace(/&(amp|quot|#39|lt|gt|#x27);/g, (e) => ENTITIES[e]);
    if (raw.startsWith('#') || /^(mailto|tel):/i.test(raw)) continue;
    const u = new URL(raw, pageUrl);
    u.hash = '';
    if (u.origin === new URL(server.base).origin) out.push(u.href);
  }
  return out;
}

async function signedInContext(who) {
  const context = await chromium.browser.newContext({ locale: 'ja-JP' });
  context.setDefaultTimeout(15_000);
  if (who === 'visitor') return context;
  const page = await context.newPage();
  await page.goto(`${server.base}/login`);
  await page.locator('#f-email').fill(`${who}@demo.chance-navi.jp`);
  await page.locator('#f-password').fill(PASSWORD);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
  await page.waitForLoadState();
  assert.ok(!page.url().includes('/login'), `${who} is signed in (at ${page.url()})`);
  await page.close();
  return context;
}

for (const role of ROLES) {
  test(`no internal link answers 404 or a server error (${role.who})`, async () => {
    const context = await signedInContext(role.who);
    const opened = new Map(); // page type → pages opened
    const checked = new Map(); // page type → links checked
    const seen = new Set();
    const broken = [];
    const queue = role.start.map((p) => ({ url: server.base + p, from: '(start)' }));
    let requests = 0;
    while (queue.length > 0) {
      const { url, from } = queue.shift();
      if (seen.has(url)) continue;
      seen.add(url);
      const type = pageType(url);
      const n = checked.get(type) ?? 0;
      if (n >= CHECKS_PER_TYPE) continue;
      checked.set(type, n + 1);
      const response = await context.request.get(url, { maxRedirects: 5 });
      requests += 1;
      const status = response.status();
      if (status === 404 || status >= 500) {
        broken.push(`${status} ${url.slice(server.base.length)} (linked from ${from})`);
        continue;
      }
      const finalType = pageType(response.url());
      const html = (response.headers()['content-type'] ?? '').startsWith('text/html');
      if (!html || (opened.get(finalType) ?? 0) >= PER_TYPE) continue;
      opened.set(finalType, (opened.get(finalType) ?? 0) + 1);
      const here = response.url();
      for (const link of links(await response.text(), here)) {
        if (!seen.has(link)) queue.push({ url: link, from: here.slice(server.base.length) });
      }
    }
    await context.close();
    assert.deepEqual(broken, [], `${role.who}: links that lead nowhere`);
    // The crawl really went somewhere: several page types for everyone.
    assert.ok(opened.size >= 8, `${role.who} opened ${opened.size} page types in ${requests} requests`);
  });
}
