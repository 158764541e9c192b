// A small retrying expect for playwright-core locators (the full
// @playwright/test runner is not used: the Go test runs the specs). Each
// assertion polls until it holds or its timeout (default 10 s) passes.
const DEFAULT_TIMEOUT = 10000;

async function poll(what, timeout, probe) {
  const deadline = Date.now() + (timeout ?? DEFAULT_TIMEOUT);
  let last;
  for (;;) {
    try {
      const [ok, seen] = await probe();
      if (ok) return;
      last = seen;
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > deadline) throw new Error(`expected ${what}; last seen: ${String(last).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function expect(locator) {
  const name = locator.toString();
  return {
    toBeVisible: (o = {}) => poll(`${name} visible`, o.timeout, async () => [await locator.isVisible(), 'hidden']),
    toBeHidden: (o = {}) => poll(`${name} hidden`, o.timeout, async () => [await locator.isHidden(), 'visible']),
    toHaveCount: (n, o = {}) => poll(`${name} count ${n}`, o.timeout, async () => {
      const c = await locator.count();
      return [c === n, c];
    }),
    toContainText: (text, o = {}) => poll(`${name} to contain "${text}"`, o.timeout, async () => {
      const s = await locator.innerText({ timeout: 1000 });
      return [s.includes(text), s];
    }),
    toHaveValue: (want, o = {}) => poll(`${name} value ${want}`, o.timeout, async () => {
      const v = await locator.inputValue({ timeout: 1000 });
      return [want instanceof RegExp ? want.test(v) : v === want, v];
    }),
    toBeFocused: (o = {}) => poll(`${name} focused`, o.timeout, async () => {
      const f = await locator.evaluate((el) => el === document.activeElement, null, { timeout: 1000 });
      return [f, 'not focused'];
    }),
  };
}
