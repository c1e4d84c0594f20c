import { describe, expect, it } from 'vitest';
import { chat, createAccountWithKey, hello } from './helpers';

describe('smoke', () => {
  it('answers a chat completion through the stand-in', async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(JSON.parse(text).choices[0].message.content).toBe('Hello from the deepseek stand-in.');
  });
});
