/** /docs's quick start: a key in FINDTOKEN_API_KEY, then curl, Python and Node, and a recharge. */
import { GUIDE_RETURN_PATHS } from '../guide-redirects';

export function guideSnippets(baseUrl: string, siteUrl: string) {
  return {
    env: 'export FINDTOKEN_API_KEY=sk-ft_…   # from the dashboard: shown once',
    curl: `curl ${baseUrl}/chat/completions \\\n  -H "Authorization: Bearer $FINDTOKEN_API_KEY" \\\n  -H "Content-Type: application/json" \\\n  -d '{"model":"deepseek-chat","messages":[{"role":"user","content":"Hello!"}]}'`,
    python: `import os\nfrom openai import OpenAI\nclient = OpenAI(api_key=os.environ["FINDTOKEN_API_KEY"], base_url="${baseUrl}")\nprint(client.chat.completions.create(model="deepseek-chat", messages=[{"role": "user", "content": "Hello!"}]).choices[0].message.content)`,
    node: `import OpenAI from 'openai';\nconst client = new OpenAI({ apiKey: process.env.FINDTOKEN_API_KEY, baseURL: '${baseUrl}' });\nconst answer = await client.chat.completions.create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hello!' }] });`,
    recharge: `curl ${baseUrl}/user/credits \\\n  -H "Authorization: Bearer $FINDTOKEN_API_KEY" \\\n  -H "Content-Type: application/json" \\\n  -d '{"amount":10,"success_url":"${siteUrl}${GUIDE_RETURN_PATHS.success}","cancel_url":"${siteUrl}${GUIDE_RETURN_PATHS.cancel}"}'`,
  };
}

export function QuickStart(props: { baseUrl: string; siteUrl: string }) {
  const snippets = guideSnippets(props.baseUrl, props.siteUrl);
  return (
    <section id="quick-start" aria-labelledby="quick-start-title">
      <h2 id="quick-start-title">Quick start</h2>
      <p>
        Sign up, create a key on the dashboard, and use any OpenAI SDK with base URL <code>{props.baseUrl}</code>. Keep the key in an environment variable:
      </p>
      <pre>{snippets.env}</pre>
      <h3>curl</h3>
      <pre>{snippets.curl}</pre>
      <h3>Python</h3>
      <pre>{snippets.python}</pre>
      <h3>Node</h3>
      <pre>{snippets.node}</pre>
      <h3>Add credits</h3>
      <p>
        Open the answer’s <code>checkout_url</code> to pay; you come back to the dashboard, or to the pricing if you cancel. Credits arrive once Stripe confirms the
        payment.
      </p>
      <pre>{snippets.recharge}</pre>
    </section>
  );
}
