// SPDX-License-Identifier: ISC
'use strict';
// world.js — what a browser test stands on: a private Prosody (through
// build/tools/kk-prosody), a kakekomid with its own folder, store, port and
// XMPP account, a roster and a coordinator account made with kakekomictl,
// a specialist's chat app (build/tools/kk-specialist), and headless Chromium
// (Debian's package) with a fresh profile. Everything listens on loopback
// only, and everything started here is stopped by stop().

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const net = require('node:net');
const { chromium } = require('playwright-core');

const SRC = path.resolve(process.env.KK_SRC || path.join(__dirname, '..', '..', '..'));
const BUILD = path.resolve(SRC, process.env.KK_BUILD || 'build');
const ARTIFACTS = path.resolve(process.env.KK_ARTIFACTS || path.join(SRC, 'build', 'browser-artifacts'));
const DOMAIN = 'kk.test';
const CHROMIUM = process.env.KK_CHROMIUM || '/usr/bin/chromium';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// The first line a child prints on stdout, or an error after `ms`.
function firstLine(child, ms, what) {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what}: nothing on stdout within ${ms} ms`)), ms);
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with status ${code} before saying anything`));
    });
  });
}

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.setTimeout(2000, () => req.destroy());
  });
}

function ctl(w, args, input) {
  const r = spawnSync(path.join(BUILD, 'kakekomictl'), ['-c', w.config, ...args], {
    input: input || '', encoding: 'utf8', timeout: 30000,
  });
  if (r.status !== 0)
    throw new Error(`kakekomictl ${args.join(' ')}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

function waitExit(child, ms) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(child.exitCode);
      return;
    }
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve(-1); }, ms);
    child.once('exit', (code) => { clearTimeout(timer); resolve(code); });
  });
}

// Starts Prosody with the bot and `specialists` ({id, name, prefectures}),
// kakekomid with them on its roster, and a coordinator account.
async function start({ specialists = [], coordinator = { user: 'coord', password: 'coordinator-pass-2026' } } = {}) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const w = { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'kakekomi-browser-')), children: [], specialists, coordinator };
  const accounts = ['bot:bot-pass-2026', ...specialists.map((s) => `${s.id}:${s.id}-pass-2026`)];
  w.prosody = spawn(path.join(BUILD, 'tools', 'kk-prosody'), [DOMAIN, ...accounts], { stdio: ['pipe', 'pipe', 'inherit'] });
  w.children.push(w.prosody);
  w.xmpp = JSON.parse(await firstLine(w.prosody, 30000, 'kk-prosody'));

  w.port = await freePort();
  w.base = `http://127.0.0.1:${w.port}`;
  w.config = path.join(w.dir, 'kakekomi.conf');
  fs.writeFileSync(w.config, [
    '[http]', `listen = 127.0.0.1:${w.port}`, `web_dir = ${path.join(SRC, 'web')}`,
    'rate_exempt = 127.0.0.1, ::1',
    '[store]', `path = ${path.join(w.dir, 'kakekomi.db')}`,
    '[playbooks]', `dir = ${path.join(SRC, 'playbooks')}`,
    '[xmpp]', `jid = bot@${DOMAIN}`, 'password = bot-pass-2026', `host = ${w.xmpp.host}`,
    `port = ${w.xmpp.port}`, 'tls = required', `ca_file = ${w.xmpp.ca}`,
    '[escalation]', 'steps = 60s', '',
  ].join('\n'));
  if (specialists.length > 0) {
    const csv = ['id,name,jid,email,phone,prefectures,specialties,languages,onsite,first_consult_free,active',
      ...specialists.map((s) => `${s.id},${s.name},${s.id}@${DOMAIN},,,${s.prefectures},all,ja;en,no,no,yes`)];
    fs.writeFileSync(path.join(w.dir, 'roster.csv'), csv.join('\n') + '\n');
    ctl(w, ['roster', 'import', path.join(w.dir, 'roster.csv')]);
  }
  ctl(w, ['user', 'add', coordinator.user], coordinator.password + '\n');

  w.log = path.join(w.dir, 'kakekomid.log');
  const logFd = fs.openSync(w.log, 'a');
  w.daemon = spawn(path.join(BUILD, 'kakekomid'), ['-c', w.config], { stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  w.children.push(w.daemon);
  for (let i = 0; ; i++) {
    const r = await get(`${w.base}/healthz`);
    if (r.status === 200)
      break;
    if (i > 150 || w.daemon.exitCode !== null)
      throw new Error(`kakekomid did not get ready:\n${fs.readFileSync(w.log, 'utf8')}`);
    await sleep(100);
  }
  return w;
}

// A specialist's chat app that waits for an alert and answers it (with
// HOLD, only once a line is written to its stdin); resolves to the child
// once it is online. Its lines are in app.lines.
async function specialistApp(w, id, { reply = 'ack', hold = false } = {}) {
  const app = spawn(path.join(BUILD, 'tools', 'kk-specialist'), [
    '--jid', `${id}@${DOMAIN}`, '--password', `${id}-pass-2026`, '--host', w.xmpp.host,
    '--port', String(w.xmpp.port), '--ca', w.xmpp.ca, '--bot', `bot@${DOMAIN}`,
    '--reply', reply, '--timeout-ms', '60000', ...(hold ? ['--hold'] : []),
  ], { stdio: ['pipe', 'pipe', 'inherit'] });
  w.children.push(app);
  app.lines = [];
  let buffered = '';
  app.stdout.on('data', (d) => {
    buffered += d;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      app.lines.push(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  });
  for (let i = 0; !app.lines.some((l) => l.startsWith('online')); i++) {
    if (i > 300 || app.exitCode !== null)
      throw new Error(`${id}'s chat app did not get online`);
    await sleep(100);
  }
  return app;
}

// Headless Chromium with a fresh profile; the launch flags keep it from
// reaching anything but the daemon.
async function browser(w) {
  w.profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kakekomi-chromium-'));
  w.browser = await chromium.launchPersistentContext(w.profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return w.browser;
}

// A page that records what the browser complains about (a blocked script or
// style, a failed load), for the tests to check it stays quiet.
async function page(w) {
  const p = await w.browser.newPage();
  p.complaints = [];
  p.on('console', (m) => { if (m.type() === 'error') p.complaints.push(m.text()); });
  p.on('pageerror', (e) => p.complaints.push(String(e)));
  return p;
}

async function screenshot(p, name) {
  await p.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function stop(w) {
  if (!w)
    return;
  if (w.browser)
    await w.browser.close().catch(() => {});
  let daemonStatus = null;
  if (w.daemon && w.daemon.exitCode === null) {
    w.daemon.kill('SIGTERM');
    daemonStatus = await waitExit(w.daemon, 20000);
  }
  for (const c of w.children)
    if (c !== w.daemon && c !== w.prosody && c.exitCode === null)
      c.kill('SIGTERM');
  if (w.prosody && w.prosody.exitCode === null) {
    w.prosody.stdin.end();
    await waitExit(w.prosody, 20000);
  }
  if (w.profile)
    fs.rmSync(w.profile, { recursive: true, force: true });
  if (daemonStatus === 0)
    fs.rmSync(w.dir, { recursive: true, force: true });
  else if (daemonStatus !== null)
    throw new Error(`kakekomid exited with status ${daemonStatus}; kept ${w.dir}:\n` +
      fs.readFileSync(w.log, 'utf8').slice(-4000));
}

module.exports = { start, specialistApp, browser, page, screenshot, stop, sleep, get, ARTIFACTS, DOMAIN };
