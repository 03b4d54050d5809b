// Drives an HTML report (wasitrace export --format html) in headless
// Chromium through playwright-core, offline, and checks what a person
// would: no console error, no request beyond the file itself, the table's
// rows, a filter narrowing it, a click filling the detail pane. Keeps a
// screenshot.
//
//   node report-test.mjs --chromium EXE --report OUT.html --expect FILE.json
//                        --screenshot OUT.png [--load-only]
//
// FILE.json (written by html-test.sh from `wasitrace view --json`):
// {"total": N, "first": {"seq": S, "call": NAME}, "filter": NAME,
//  "filtered": M}. --load-only prints {"interactive_ms": T} and checks
// nothing but errors (the bench). Exit 0 pass, 1 fail, 2 harness error.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const opt = {};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--load-only') opt.loadOnly = true;
  else opt[a.replace(/^--/, '')] = process.argv[++i];
}
const failures = [];
const fail = (m) => { failures.push(m); console.log('FAIL ' + m); };
const expectEq = (what, got, want) => {
  if (got !== want) fail(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
};

const browser = await chromium.launch({
  executablePath: opt.chromium,
  args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1100 } });
  await context.setOffline(true);
  const page = await context.newPage();
  const url = pathToFileURL(opt.report).href;
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') fail(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => fail(`page error: ${e.message}`));
  page.on('request', (r) => { if (r.url() !== url) fail(`network request: ${r.url()}`); });
  page.on('requestfailed', (r) => { if (r.url() !== url) fail(`failed request: ${r.url()}`); });

  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  // Interactive: a filter keystroke answered after the load.
  await page.fill('#f-call', 'x');
  await page.fill('#f-call', '');
  const interactive = Date.now() - t0;
  if (opt.loadOnly) {
    console.log(JSON.stringify({ interactive_ms: interactive }));
  } else {
    const want = JSON.parse(readFileSync(opt.expect, 'utf8'));
    const count = () => page.textContent('#count');
    const rows = () => page.$$eval('#rows .row', (rs) => rs
      .filter((r) => r.style.display !== 'none')
      .map((r) => ({ seq: Number(r.children[0].textContent), call: r.children[3].textContent })));

    expectEq('row count', await count(), `${want.total} of ${want.total} calls`);
    const first = (await rows())[0];
    expectEq('first row', first && `${first.seq} ${first.call}`, `${want.first.seq} ${want.first.call}`);
    expectEq('run summary names the module', (await page.textContent('#title')).trim(), want.module);

    await page.fill('#f-call', want.filter);
    expectEq('filtered count', await count(), `${want.filtered} of ${want.total} calls`);
    const shown = await rows();
    if (!shown.length) fail('the filter left no rows');
    for (const r of shown) expectEq(`row ${r.seq} under filter`, r.call, want.filter);

    await page.click('#rows .row:nth-child(2)');
    const det = await page.textContent('#detail');
    const sel = shown[1];
    if (!sel || !det.includes(`#${sel.seq} ${want.filter}`)) fail(`detail pane does not show the clicked call: ${det.slice(0, 120)}`);
    for (const part of ['Arguments', 'Outputs']) if (!det.includes(part)) fail(`detail pane lacks ${part}`);
    if (want.payload && !det.includes('Payload')) fail('detail pane lacks the payload');
    if (!(await page.isVisible('#rows .row.sel'))) fail('the clicked row is not marked selected');

    await page.fill('#f-call', '');
    await page.check('#f-failed');
    expectEq('failed filter', await count(), `${want.failed} of ${want.total} calls`);
    await page.uncheck('#f-failed');
    await page.screenshot({ path: opt.screenshot, fullPage: true });
  }
} finally {
  await browser.close();
}
process.exit(failures.length ? 1 : 0);
