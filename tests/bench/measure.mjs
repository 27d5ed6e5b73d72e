// Measurements more than one bench takes, so that they time exactly the same thing.
import { byId } from '../e2e/browser.mjs';

/** Writes a workbook of `customers` / `purchases` with the Settings scale tool (one
 *  transaction); returns the write's ms as the app timed it. */
export async function writeScaleWorkbook(page, customers = 100000, purchases = 1000000) {
  await page.click(byId('nav-settings'));
  await page.fill(byId('scale-customers'), String(customers));
  await page.fill(byId('scale-purchases'), String(purchases));
  await page.click(byId('scale-run'));
  await page.waitForSelector(byId('scale-write-ms'), { timeout: 300000 });
  return Number(await page.textContent(byId('scale-write-ms')));
}

/** Loads `url` and returns the ms until the list shows `customers` and its first row. */
export async function openUntilUsable(page, url, customers) {
  await page.goto(url, { waitUntil: 'commit' });
  const ready = await page.waitForFunction(([count, row, n]) => {
    const c = document.querySelector(count);
    return c && c.textContent === String(n) && document.querySelector(row) ? performance.now() : false;
  }, [byId('customer-count'), byId('customer-row'), customers], { polling: 'raf', timeout: 120000 });
  return ready.jsonValue();
}

/** After `openUntilUsable`: the ms (from the same navigation) until every customer file is
 *  decoded too — the page's main region stops being `aria-busy`. */
export async function untilLoaded(page) {
  const done = await page.waitForFunction(
    () => document.querySelector('#main:not([aria-busy="true"])') ? performance.now() : false,
    null, { polling: 'raf', timeout: 120000 });
  return done.jsonValue();
}

/** Types the bench's searches into the list; the ms from each input event to the count's
 *  change (keystrokes that leave the count as it was are not timed). */
export async function searchKeystrokes(page) {
  return page.evaluate(async ([input, count]) => {
    const box = document.querySelector(input), counter = document.querySelector(count);
    const times = [];
    for (const q of ['1', '13', '138', '1388', '', '王', '王伟', '', 's', 'sm', 'smi', '']) {
      const before = counter.textContent;
      const changed = new Promise((resolve) => {
        const obs = new MutationObserver(() => { obs.disconnect(); resolve(performance.now()); });
        obs.observe(counter, { characterData: true, childList: true, subtree: true });
      });
      const t0 = performance.now();
      box.value = q;
      box.dispatchEvent(new Event('input', { bubbles: true }));
      const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 5000));
      const t1 = await Promise.race([changed, timeout]);
      if (t1 !== null) times.push(t1 - t0);
      else if (counter.textContent !== before) throw new Error('count changed unobserved');
    }
    return times;
  }, [byId('customer-search'), byId('customer-count')]);
}

/** Edits the city of the first `runs` customers of the list one after the other; the ms from
 *  the click on save to the card showing the new city. */
export async function saveEdits(page, runs) {
  const times = [];
  for (let run = 0; run < runs; run++) {
    await page.click(byId('nav-customers'));
    await page.fill(byId('customer-search'), '');
    await page.click(`${byId('customer-row')} >> nth=${run}`);
    await page.click(byId('edit-customer'));
    const city = `City ${run}`;
    await page.fill(byId('field-city'), city);
    times.push(await page.evaluate(async ([save, card, city]) => {
      const t0 = performance.now();
      const done = new Promise((resolve) => {
        const check = () => { const c = document.querySelector(card); return c && c.textContent.includes(city); };
        const obs = new MutationObserver(() => { if (check()) { obs.disconnect(); resolve(performance.now()); } });
        obs.observe(document.body, { childList: true, subtree: true, characterData: true });
      });
      document.querySelector(save).click();
      return (await done) - t0;
    }, [byId('save-customer'), byId('customer-card'), city]));
  }
  return times;
}
