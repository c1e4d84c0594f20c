/**
 * The pages on a 390 px phone, in a real browser against `npm run dev`: the home page, /docs and a dashboard
 * with billing logs, keys, a provider key and a recharge never scroll sideways (tables scroll in their own
 * box), and the charts' text stays at least 10 px tall.
 */
// The functions given to page.evaluate run in the page: they see the DOM.
/// <reference lib="dom" />
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN, waitForDevServer } from './dev-server-process.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PHONE = { width: 390, height: 844 };
const MIN_TEXT_PX = 10;

const baseUrl = inject('devServerUrl');
let browser: Browser;
let page: Page;

const admin = async (path: string, body: unknown) => (await fetch(`${baseUrl}/admin/v1${path}`, { method: 'POST', headers: ADMIN, body: JSON.stringify(body) })).json() as Promise<Record<string, unknown>>;
const api = (key: string, path: string, body: unknown) =>
  fetch(`${baseUrl}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  [browser] = await Promise.all([
    chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] }),
    waitForDevServer(baseUrl, inject('devServerLog')),
  ]);
  page = await browser.newPage({ viewport: PHONE });
  page.on('dialog', (dialog) => void dialog.accept());
});

afterAll(async () => {
  await browser?.close();
});

/** How far the page is wider than the phone: 0 when nothing pushes it sideways. */
const sidewaysOverflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Tables not inside a box that scrolls sideways on its own. */
const tablesOutsideScrollBox = () => page.evaluate(() => [...document.querySelectorAll('table')].filter((table) => getComputedStyle(table.parentElement!).overflowX !== 'auto').length);

/** The rendered height (px) of every piece of visible text in each chart, the smallest first. */
const chartTextHeights = () =>
  page.evaluate(() =>
    [...document.querySelectorAll('main figure')].map((figure) => {
      const walker = document.createTreeWalker(figure, NodeFilter.SHOW_TEXT);
      const heights: Array<{ text: string; height: number }> = [];
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent?.trim() || node.parentElement?.closest('title')) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        heights.push({ text: node.textContent.trim(), height: range.getBoundingClientRect().height });
      }
      return heights.sort((a, b) => a.height - b.height);
    }),
  );

async function signIn(email: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Get Free Access' }).click();
  await page.getByText('Check your email').waitFor();
  const { data } = (await (await fetch(`${baseUrl}/admin/v1/outbox`, { headers: ADMIN })).json()) as { data: Array<{ to: string; text: string }> };
  const link = /https?:\/\/\S+\/auth\/activate\?token=[0-9a-f]{64}/.exec(data.find((mail) => mail.to === email)?.text ?? '')?.[0];
  await page.goto(link!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/dashboard$/);
}

describe('the pages on a 390 px phone', () => {
  it.each(['/', '/docs'])('%s does not scroll sideways', async (path) => {
    await page.goto(`${baseUrl}${path}`);
    expect(await page.evaluate(() => window.innerWidth)).toBe(PHONE.width);
    expect(await sidewaysOverflow()).toBe(0);
    expect(await tablesOutsideScrollBox()).toBe(0);
    // The pricing table is wider than the phone: it scrolls inside its own box.
    const pricing = page.locator('.table-wrap', { has: page.getByText('USD per 1M tokens') });
    expect(await pricing.evaluate((box) => box.scrollWidth > box.clientWidth && getComputedStyle(box).overflowX === 'auto')).toBe(true);
  });

  it('a dashboard with billing logs, keys, a provider key and a recharge does not scroll sideways, and its charts read at 10 px or more', async () => {
    const email = `phone-${Date.now()}@example.com`;
    const account = await admin('/accounts', { email });
    await admin(`/accounts/${String(account['id'])}/credits`, { amount: 1.6, reason: 'phone layout test' });
    const { key } = (await admin(`/accounts/${String(account['id'])}/keys`, { name: 'a-key-name-that-is-long-and-has-no-spaces-at-all-anywhere-in-it' })) as { key: string };
    expect((await api(key, '/v1/user/keys', { name: 'limited', limit: { amount: 5, period: 'month' } })).status).toBe(201);
    expect((await api(key, '/v1/user/byok/register', { provider: 'deepseek', api_key: 'sk-my-own-deepseek-key', name: 'my deepseek' })).status).toBe(201);
    const chat = await api(key, '/v1/chat/completions', { model: 'deepseek-chat', billing_mode: 'standard', messages: [{ role: 'user', content: 'Hello!' }] });
    expect(chat.status).toBe(200);
    const requestId = chat.headers.get('x-request-id') ?? '';

    await signIn(email);
    await page.getByLabel('Recharge amount (USD)').fill('10');
    await page.getByRole('button', { name: 'Recharge' }).click();
    await page.getByRole('button', { name: 'Pay $10' }).click();
    await page.waitForURL(/\/dashboard\?message=recharge-success/);
    // The billing log reaches D1 from the account object within a second or so.
    for (let i = 0; i < 20 && !(await page.locator('#billing-logs').textContent())?.includes(requestId); i++) {
      await page.waitForTimeout(500);
      await page.reload();
    }
    expect(await page.locator('#billing-logs').textContent()).toContain(requestId);
    expect(await page.getByText('my deepseek').count()).toBe(1);
    expect(await page.getByText('of $5.00 per month').count()).toBe(1);
    expect(await page.locator('#balance').textContent()).toMatch(/^\$11\.\d\d$/);

    expect(await sidewaysOverflow()).toBe(0);
    expect(await tablesOutsideScrollBox()).toBe(0);
    const charts = await chartTextHeights();
    expect(charts).toHaveLength(2);
    for (const texts of charts) {
      expect(texts.length).toBeGreaterThanOrEqual(4);
      expect(texts[0]!.height, `"${texts[0]!.text}" is ${texts[0]!.height} px`).toBeGreaterThanOrEqual(MIN_TEXT_PX);
    }
  });
});
