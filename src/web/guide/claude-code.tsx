/** /docs's Claude Code section: the Anthropic Messages API, and the variables that point Claude Code (or an Anthropic SDK) at this gateway. */

const MODELS = { main: 'deepseek-reasoner', opus: 'deepseek-reasoner', sonnet: 'deepseek-chat', haiku: 'glm-4-flash' } as const;

export function ClaudeCodeSection(props: { siteUrl: string }) {
  const setup = `export ANTHROPIC_BASE_URL=${props.siteUrl}
export ANTHROPIC_AUTH_TOKEN=$FINDTOKEN_API_KEY
export ANTHROPIC_API_KEY=""
export ANTHROPIC_MODEL=${MODELS.main}
export ANTHROPIC_DEFAULT_OPUS_MODEL=${MODELS.opus}
export ANTHROPIC_DEFAULT_SONNET_MODEL=${MODELS.sonnet}
export ANTHROPIC_DEFAULT_HAIKU_MODEL=${MODELS.haiku}
claude`;
  const sdk = `import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({ baseURL: '${props.siteUrl}', apiKey: process.env.FINDTOKEN_API_KEY });
const message = await client.messages.create({
  model: '${MODELS.sonnet}',
  max_tokens: 1024,
  messages: [{ role: 'user', content: 'Hello' }],
});`;
  return (
    <section id="claude-code-setup" aria-labelledby="claude-code-title">
      <h2 id="claude-code-title">Claude Code and the Anthropic SDKs</h2>
      <p>
        find-token speaks Anthropic’s Messages API at <code>POST /v1/messages</code> (and <code>/v1/messages/count_tokens</code>): text, images, tools and
        thinking, streamed as Anthropic’s events. Billing, limits, routing and the <code>X-FindToken-*</code> headers are those of chat completions; errors come in
        Anthropic’s shape. The base URL is this site’s origin, without <code>/v1</code>; the key goes in as the auth token, and the model variables name catalog
        models (a <code>claude-*</code> id is answered 404, naming these variables).
      </p>
      <pre>{setup}</pre>
      <pre>{sdk}</pre>
    </section>
  );
}
