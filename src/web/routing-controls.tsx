/** The request fields that steer routing and billing, one example each: shown on the home page and in /docs. */

const CONTROLS: ReadonlyArray<{ field: string; example: string; what: string }> = [
  { field: 'routing: "none"', example: '{"model": "deepseek-chat", "routing": "none"}', what: 'Only the model you asked for: retried, never swapped for another.' },
  {
    field: 'models',
    example: '{"model": "deepseek-chat", "models": ["kimi-k2", "glm-4-plus"]}',
    what: 'Your own fallbacks, in your order, instead of the equivalents; "cheapest" picks among your model and these.',
  },
  {
    field: 'max_price',
    example: '{"model": "deepseek-chat", "max_price": {"prompt": 1, "completion": 2}}',
    what: 'Dollars per 1M tokens before the fee: no model priced above either is called.',
  },
  {
    field: 'billing_mode (or the X-FindToken-Mode header)',
    example: '{"model": "deepseek-chat", "billing_mode": "standard"}',
    what: '"standard" pays from your credits even when you registered a provider key; "byok" insists on your own key.',
  },
];

export function RoutingControls() {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th>field</th>
            <th>example body</th>
            <th>what it does</th>
          </tr>
        </thead>
        <tbody>
          {CONTROLS.map((control) => (
            <tr>
              <td>
                <code>{control.field}</code>
              </td>
              <td>
                <code>{control.example}</code>
              </td>
              <td class="prose">{control.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
