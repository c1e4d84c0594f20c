/**
 * A newcomer's first five minutes, in a real browser (Debian's Chromium through
 * playwright-core) against `npm run dev`: sign up, sign in from the emailed
 * link, create a key, call the API with it, recharge through the local
 * checkout, see the balance, the call in the logs and the chart, revoke the key.
 * Screenshots of the home page and the dashboard go to docs/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import OpenAI from 'openai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN, waitForDevServer } from './dev-server-process.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = 'docs/screenshots';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

const baseUrl = inject('devServerUrl');
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [browser] = await Promise.all([
    chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] }),
    waitForDevServer(baseUrl, inject('devServerLog')),
  ]);
  page = await browser.newPage({ viewport: DESKTOP });
  page.on('dialog', (dialog) => void dialog.accept());
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

async function screenshots(name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}/${name}-desktop.png`, fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: `${SHOTS}/${name}-phone.png`, fullPage: true });
  await page.setViewportSize(DESKTOP);
}

async function latestEmailTo(address: string): Promise<{ text: string }> {
  const { data } = (await (await fetch(`${baseUrl}/admin/v1/outbox`, { headers: ADMIN })).json()) as { data: Array<{ to: string; text: string }> };
  const mail = data.find((m) => m.to === address);
  if (!mail) throw new Error(`no email to ${address}`);
  return mail;
}

describe('from zero to a first API response, in the browser', () => {
  const email = `newcomer-${Date.now()}@example.com`;
  let apiKey = '';
  let requestId = '';

  it('signs up from the home page and signs in from the emailed link', async () => {
    await page.goto(baseUrl);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('One OpenAI-compatible API');
    await screenshots('home');
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Get Free Access' }).click();
    await page.getByText('Check your email').waitFor();
    const link = /https?:\/\/\S+\/auth\/activate\?token=[0-9a-f]{64}/.exec((await latestEmailTo(email)).text)?.[0];
    expect(link).toBeDefined();
    // The link starts with PUBLIC_URL (the dev server's own address), and the page names the address.
    expect(link!.startsWith(`${baseUrl}/`)).toBe(true);
    await page.goto(link!);
    await page.getByRole('heading', { name: `Sign in as ${email}?` }).waitFor();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/dashboard$/);
    expect(await page.locator('#balance').textContent()).toBe('$0.00');
  });

  it('creates a key shown once, and calls the API with it through the openai SDK', async () => {
    await page.getByLabel('Key name').fill('browser');
    await page.getByRole('button', { name: 'Create key' }).click();
    apiKey = ((await page.locator('#new-key').textContent()) ?? '').trim();
    expect(apiKey).toMatch(/^sk-ft_[0-9a-f]{64}$/);
    const client = new OpenAI({ apiKey, baseURL: `${baseUrl}/v1`, maxRetries: 0 });
    // A new account has $0: this first call brings its own provider key (free within the month's BYOK requests).
    const { data, response } = await client.chat.completions
      .create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hello!' }], provider_key: { provider: 'deepseek', api_key: 'sk-my-own-deepseek-key' } } as never)
      .withResponse();
    expect(data.choices[0]?.message.content).toBeTruthy();
    requestId = response.headers.get('x-request-id') ?? '';
    expect(response.headers.get('x-findtoken-mode')).toBe('byok');
  });

  it('recharges $10 through the local checkout page and shows the balance, the call in the logs and in the chart', async () => {
    await page.getByLabel('Recharge amount (USD)').fill('10');
    await page.getByRole('button', { name: 'Recharge' }).click();
    await page.getByRole('button', { name: 'Pay $10' }).click();
    await page.waitForURL(/\/dashboard\?message=recharge-success/);
    expect(await page.locator('#balance').textContent()).toBe('$10.00');
    // The billing log reaches D1 from the account object within a second or so.
    for (let i = 0; i < 20 && !(await page.locator('#billing-logs').textContent())?.includes(requestId); i++) {
      await page.waitForTimeout(500);
      await page.reload();
    }
    expect(await page.locator('#billing-logs').textContent()).toContain(requestId);
    expect(await page.locator('rect[data-model="deepseek-chat"]').count()).toBeGreaterThan(0);
    await screenshots('dashboard');
  });

  it('revokes the key, after which it gets 401', async () => {
    await page.getByRole('button', { name: 'Revoke browser' }).click();
    await page.getByText('The key was revoked').waitFor();
    const client = new OpenAI({ apiKey, baseURL: `${baseUrl}/v1`, maxRetries: 0 });
    await expect(client.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
