/**
 * /docs: the user guide, one section per file in guide/. The endpoints, headers and errors come from the
 * OpenAPI document and the error catalogue, the numbers from the config and the catalog: the page says
 * what the code does.
 */
import type { Config } from '../env';
import { openApiDocument } from '../openapi/document';
import { ByokSection } from './guide/byok-section';
import { ClaudeCodeSection } from './guide/claude-code';
import { BillingSection } from './guide/billing-section';
import { EndpointsTable } from './guide/endpoints-table';
import { ErrorsTable } from './guide/errors-table';
import { ExportsSection } from './guide/exports-section';
import { Faq } from './guide/faq';
import { HeadersTable } from './guide/headers-table';
import { KeysAccess } from './guide/keys-access';
import { Limits } from './guide/limits';
import { QuickStart } from './guide/quick-start';
import { RoutingSection } from './guide/routing-section';
import { StreamingSection } from './guide/streaming';
import { PricingTable } from './home';
import { Layout } from './layout';

const CONTENTS: ReadonlyArray<[string, string]> = [
  ['quick-start', 'Quick start'],
  ['endpoints', 'Endpoints'],
  ['headers', 'Headers'],
  ['streaming', 'Streaming'],
  ['claude-code-setup', 'Claude Code and the Anthropic SDKs'],
  ['routing', 'Routing'],
  ['billing', 'Billing'],
  ['exports', 'Exporting billing logs'],
  ['byok', 'Bring your own key'],
  ['keys', 'Keys and access'],
  ['errors', 'Errors'],
  ['limits', 'Limits'],
  ['faq', 'FAQ'],
  ['models', 'Models and prices'],
];

export function DocsPage(props: { config: Config; baseUrl: string; signedIn: boolean; csrf?: string }) {
  const { config, baseUrl } = props;
  const siteUrl = baseUrl.replace(/\/v1$/, '');
  const document = openApiDocument(siteUrl) as Parameters<typeof EndpointsTable>[0]['document'];
  return (
    <Layout title="Docs" signedIn={props.signedIn} csrf={props.csrf}>
      <h1>Docs</h1>
      <nav aria-label="Contents">
        <ul>
          {CONTENTS.map(([id, title]) => (
            <li>
              <a href={`#${id}`}>{title}</a>
            </li>
          ))}
        </ul>
      </nav>
      <QuickStart baseUrl={baseUrl} siteUrl={siteUrl} />
      <EndpointsTable document={document} />
      <HeadersTable />
      <StreamingSection config={config} />
      <ClaudeCodeSection siteUrl={siteUrl} />
      <RoutingSection config={config} />
      <BillingSection config={config} />
      <ExportsSection config={config} />
      <ByokSection config={config} baseUrl={baseUrl} />
      <KeysAccess baseUrl={baseUrl} />
      <ErrorsTable />
      <Limits config={config} />
      <Faq config={config} />
      <section id="models" aria-labelledby="models-title">
        <h2 id="models-title">Models and prices</h2>
        <PricingTable config={config} />
      </section>
    </Layout>
  );
}
