/** /docs's streaming section: SSE as OpenAI's, plus what find-token adds (keep-alives, the charged usage chunk). */
import type { Config } from '../../env';

const USAGE_CHUNK = `data: {"id":"…","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21,"cost":0.000031,"balance":9.998412}}

data: [DONE]`;

const ERROR_EVENT = `data: {"error":{"message":"The provider's stream broke: …","type":"server_error","param":null,"code":"upstream_stream_interrupted"}}`;

export function StreamingSection(props: { config: Config }) {
  const keepalive = props.config.streamKeepaliveMs / 1000;
  return (
    <section id="streaming" aria-labelledby="streaming-title">
      <h2 id="streaming-title">Streaming</h2>
      <p>
        <code>"stream": true</code> answers Server-Sent Events, chunk by chunk as the provider sends them (never buffered): OpenAI’s{' '}
        <code>chat.completion.chunk</code> events, then <code>data: [DONE]</code>. Every provider’s dialect is normalized to OpenAI’s.
      </p>
      <ul>
        <li>
          <strong>Before the first token</strong> nothing is sent for up to {keepalive} s, so a failure there is still a clean HTTP error or a failover to another
          model. After that, <code>: keep-alive</code> comments cover any silence every {keepalive} s (SSE clients ignore them).
        </li>
        <li>
          <strong>Usage</strong>: send <code>"stream_options": {'{"include_usage": true}'}</code> to get a last chunk with <code>usage</code>, which adds{' '}
          <code>cost</code> (what the request was charged, in dollars) and, in standard mode, <code>balance</code> (right after the charge). The stream is charged
          before that chunk and <code>[DONE]</code>; a charge queued instead says <code>charge_pending: true</code> and has no balance.
        </li>
        <li>
          <strong>Errors after the first byte</strong> cannot change the status (200 was sent): the stream ends with an error event in OpenAI’s shape and no{' '}
          <code>[DONE]</code>. Its codes: <code>upstream_stream_interrupted</code>, <code>upstream_timeout</code>, <code>provider_unavailable</code>. You pay for the
          tokens you were sent, nothing more.
        </li>
      </ul>
      <pre>{USAGE_CHUNK}</pre>
      <pre>{ERROR_EVENT}</pre>
    </section>
  );
}
