// SPDX-License-Identifier: ISC
'use strict';
// A report made in a real browser, followed the way people see it: the
// reporter on a phone-sized screen, the specialist in a chat app (XMPP), the
// coordinator on the dashboard. Screenshots of every step are kept in
// build/browser-artifacts.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const world = require('../lib/world');

const OSAKA = { id: 'osaka', name: '大阪 一郎', prefectures: '27' };
const COORD = { user: 'coord', password: 'coordinator-pass-2026' };

// Reloads PAGE until TEST(page) holds, at most MS milliseconds.
async function until(page, test, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await test(page))
      return;
    if (Date.now() > deadline)
      assert.fail(`${what} within ${ms} ms`);
    await world.sleep(300);
    await page.reload();
  }
}

describe('a report followed through the browser', () => {
  let w, reporter, coord, app, ref;

  before(async () => {
    w = await world.start({ specialists: [OSAKA], coordinator: COORD });
    await world.browser(w);
    app = await world.specialistApp(w, OSAKA.id, { hold: true });
    reporter = await world.page(w);
    coord = await world.page(w);
  });

  after(async () => {
    await world.stop(w);
  });

  it('the report form works at phone width and answers with a reference', async () => {
    await reporter.setViewportSize({ width: 360, height: 740 });
    await reporter.goto(`${w.base}/report`);
    assert.equal(await reporter.locator('script').count(), 0, 'the form needs no JavaScript');
    const wide = await reporter.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 360, `nothing sticks out of a 360 px screen (${wide} px)`);
    await world.screenshot(reporter, '01-report-form-phone');
    await reporter.check('input[name=incident_type][value=ransomware]');
    await reporter.check('input[name=still_happening][value=yes]');
    await reporter.check('input[name=money_involved][value=no]');
    await reporter.check('input[name=personal_data][value=unknown]');
    await reporter.fill('#f-company', '株式会社ブラウザ商事');
    await reporter.selectOption('#f-prefecture', '27');
    await reporter.fill('#f-name', '試験 花子');
    await reporter.fill('#f-phone', '０６－１２３４－５６７８');
    await reporter.fill('#f-description', '画面に英語の脅迫文が出ている');
    await Promise.all([reporter.waitForNavigation(), reporter.click('button[type=submit]')]);
    ref = (await reporter.textContent('#case-ref')).trim();
    assert.match(ref, /^KK-[0-9A-Z]{4}-[0-9A-Z]{2}$/);
    assert.ok((await reporter.textContent('#steps')).length > 0, 'the first steps come at once');
    const wideAfter = await reporter.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wideAfter <= 360, `the answer fits a phone too (${wideAfter} px)`);
    await world.screenshot(reporter, '02-report-answer-phone');
    assert.deepEqual(reporter.complaints, [], 'the browser blocked or failed nothing');
  });

  it('the coordinator logs in and sees the new case in the queue', async () => {
    await coord.goto(`${w.base}/dashboard`);
    assert.match(coord.url(), /\/login\?next=\/dashboard$/, 'the dashboard asks for a login first');
    await coord.fill('#user', COORD.user);
    await coord.fill('#password', COORD.password);
    await Promise.all([coord.waitForNavigation(), coord.click('button[type=submit]')]);
    assert.match(coord.url(), /\/dashboard$/);
    const row = coord.locator(`tr[data-ref="${ref}"]`);
    await until(coord, async () => (await row.count()) === 1, 10000, `${ref} in the queue`);
    assert.match(await row.textContent(), /大阪府/);
    assert.match(await row.locator('td.clock').textContent(), /引き受け/);
    assert.equal(await coord.locator('script').count(), 0);
    await world.screenshot(coord, '03-dashboard-new-case');
  });

  it('the specialist acknowledges over XMPP and the dashboard shows who and how fast', async () => {
    for (let i = 0; !app.lines.some((l) => l.startsWith('alert ')); i++) {
      assert.ok(i < 300 && app.exitCode === null, `the chat app should get the alert (${app.lines.join(' | ')})`);
      await world.sleep(100);
    }
    app.stdin.write('ack now\n'); /* the specialist answers */
    for (let i = 0; !app.lines.includes('confirmed'); i++) {
      assert.ok(i < 300 && app.exitCode === null || app.lines.includes('confirmed'),
        `the chat app should get the alert and a confirmation (it said: ${app.lines.join(' | ')})`);
      await world.sleep(100);
    }
    assert.ok(app.lines.includes(`alert ${ref}`), `the alert was for ${ref}: ${app.lines.join(' | ')}`);
    const row = coord.locator(`tr[data-ref="${ref}"]`);
    await until(coord, async () => (await row.locator('.acked').count()) === 1, 10000,
      'the acknowledgement on the dashboard');
    assert.match(await row.locator('.acked').textContent(), /大阪 一郎/);
    const took = await row.locator('.ack-time').textContent();
    assert.match(took, /^\d+(\.\d+)?(ms|s)$|^\d+m\d\ds$/, `the time to acknowledge: ${took}`);
    assert.match(await row.locator('td.clock').textContent(), /初回連絡/, 'now the first contact clock runs');
    await world.screenshot(coord, '04-dashboard-acknowledged');
  });

  it('the case page shows the reporter and records that view on the timeline', async () => {
    await coord.goto(`${w.base}/dashboard/cases/${ref}`);
    assert.equal(await coord.textContent('#r-name'), '試験 花子');
    assert.equal(await coord.textContent('#r-phone'), '06-1234-5678');
    assert.equal(await coord.locator('li.event-details_viewed').count(), 1);
    assert.equal(await coord.locator('li.event-acknowledged').count(), 1);
    await world.screenshot(coord, '05-case-page');
    await coord.fill('#form-note textarea', '折り返し済み、明日訪問');
    await Promise.all([coord.waitForNavigation(), coord.click('#form-note button')]);
    assert.match(await coord.textContent('#notice'), /メモを追加しました/);
    assert.equal(await coord.locator('li.event-note').count(), 1);
    assert.equal(await coord.locator('li.event-details_viewed').count(), 2, 'each view counts');
  });

  it('the figures show the tile map and the histogram, readable in print', async () => {
    await coord.goto(`${w.base}/dashboard/figures`);
    assert.equal(await coord.locator('svg#tile-map g.tile').count(), 47);
    const osaka = await coord.locator('svg#tile-map g.tile[data-pref="27"] text.value').textContent();
    assert.notEqual(osaka.trim(), '—', 'Osaka shows its median time to acknowledge');
    assert.equal(await coord.locator('svg#histogram g.bar').count(), 10);
    assert.equal(await coord.locator('#overview tr[data-clock="ack"] td').first().textContent(), '1');
    await world.screenshot(coord, '06-figures');
    await coord.emulateMedia({ media: 'print' });
    await world.screenshot(coord, '07-figures-print');
    await coord.emulateMedia({ media: 'screen' });
    await coord.goto(`${w.base}/dashboard/coverage`);
    assert.equal(await coord.locator('#coverage tbody tr').count(), 47);
    await world.screenshot(coord, '08-coverage');
    assert.deepEqual(coord.complaints, [], 'the browser blocked or failed nothing');
  });

  it('logging out closes the dashboard', async () => {
    await coord.goto(`${w.base}/dashboard`);
    await Promise.all([coord.waitForNavigation(), coord.click('header form button')]);
    assert.match(coord.url(), /\/login$/);
    await coord.goto(`${w.base}/dashboard`);
    assert.match(coord.url(), /\/login\?next=/);
  });
});
