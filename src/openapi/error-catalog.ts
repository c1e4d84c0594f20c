/**
 * Every error code the API answers, made by its own factory in errors.ts (so its status and type are the
 * code's, not a copy), with when it happens: the OpenAPI document's error responses and /docs's table.
 * test/unit/openapi/error-catalog.test.ts fails when errors.ts gains a factory this list does not call.
 */
import * as errors from '../errors';
import type { ApiError, ErrorType } from '../errors';

export interface ErrorCode {
  status: number;
  type: ErrorType;
  code: string;
  when: string;
}

const model = { id: 'deepseek-chat', provider: 'deepseek' };

/** [factory name, one error it makes, when]: the name lets the test check that no factory is left out. */
const ENTRIES: ReadonlyArray<[keyof typeof errors, ApiError, string]> = [
  ['invalidJson', errors.invalidJson(''), 'The body is not JSON (or not an object).'],
  ['invalidValue', errors.invalidValue(''), 'A field has a value it may not have; `param` names it (such as `messages[0].role`).'],
  ['missingParameter', errors.missingParameter('model'), 'A required field is missing; `param` names it.'],
  ['unsupportedParameter', errors.unsupportedParameter('', 'n'), 'A field the chosen model or provider does not support.'],
  ['contextLengthExceeded', errors.contextLengthExceeded(''), "The prompt is longer than the model's context window."],
  ['providerRejectedRequest', errors.providerRejectedRequest(''), 'The provider refused the request as malformed.'],
  ['contentFiltered', errors.contentFiltered(''), "A provider's content filter refused it (the provider's code is in the message)."],
  ['invalidProviderKey', errors.invalidProviderKey('', 'provider_key'), 'Your own provider key was rejected by its provider, or its account there is out of balance; never retried on the platform’s key.'],
  ['providerKeyRequired', errors.providerKeyRequired(model), '`billing_mode: "byok"` without your own key for the model’s provider.'],
  ['tooManyKeys', errors.tooManyKeys(''), 'The account already has the most keys it may (50 API keys, 50 provider keys).'],
  ['amountTooSmall', errors.amountTooSmall(''), 'A recharge below `MIN_RECHARGE_USD`.'],
  ['amountTooLarge', errors.amountTooLarge(''), 'A recharge above `MAX_RECHARGE_USD`.'],
  ['balanceWouldGoNegative', errors.balanceWouldGoNegative(''), 'An operator debit larger than the balance.'],
  ['notRefundable', errors.notRefundable(''), 'The recharge cannot be refunded (not paid, or disputed).'],
  ['refundWindowPassed', errors.refundWindowPassed(''), 'More than 14 days since the payment.'],
  ['refundTooLarge', errors.refundTooLarge(''), 'More than what is left of the recharge.'],
  ['refundExceedsUnspent', errors.refundExceedsUnspent(''), 'More than the account’s unspent credits.'],
  ['invalidWebhook', errors.invalidWebhook(''), 'A Stripe webhook with a bad or stale signature.'],
  ['invalidApiKey', errors.invalidApiKey(''), 'A missing, malformed, unknown or revoked key (a key revoked with its parent included).'],
  ['revokedKey', errors.revokedKey(), 'The same code, for a revoked key.'],
  ['keyExpired', errors.keyExpired(''), 'The key’s `expires_at` has passed; the message says when.'],
  ['invalidAdminToken', errors.invalidAdminToken(), 'The operator API’s token is wrong.'],
  ['accountDeactivated', errors.accountDeactivated(), 'The account was deactivated after 12 months without activity; signing in or a recharge brings it back.'],
  ['accountSuspended', errors.accountSuspended(), 'The account is suspended (a card dispute under way, or support): every key is refused until it is lifted.'],
  ['insufficientScope', errors.insufficientScope('manage'), 'The key lacks the scope the endpoint needs (`inference` or `manage`).'],
  ['keyLimitExceeded', errors.keyLimitExceeded(''), 'The key (or a key above it) has spent its limit, or this request’s worst case does not fit in what is left.'],
  ['modelNotAllowed', errors.modelNotAllowed('x', []), 'The model is not in the key’s `models`.'],
  ['insufficientCredits', errors.insufficientCredits(''), 'The request’s worst-case cost does not fit in the available balance; the message names the largest `max_tokens` that does.'],
  ['unknownUrl', errors.unknownUrl(''), 'No such path, or not with this method.'],
  ['notFound', errors.notFound('account', ''), 'No such account.'],
  ['notFound', errors.notFound('recharge', ''), 'No such recharge.'],
  ['notFound', errors.notFound('billing_log', ''), 'No billing log for that request id (yet, or of this account).'],
  ['notFound', errors.notFound('key', ''), 'No such API key in this account.'],
  ['notFound', errors.notFound('provider_key', ''), 'No such provider key in this account.'],
  ['notFound', errors.notFound('export', ''), 'No such billing-log export in this account, or it expired (7 days after it was asked for).'],
  ['modelNotFound', errors.modelNotFound('x'), 'No such model; `GET /v1/models` lists them.'],
  ['accountExists', errors.accountExists(), 'An account with this email already exists.'],
  ['idempotencyKeyReused', errors.idempotencyKeyReused(), 'An `Idempotency-Key` sent again with another body.'],
  ['payloadTooLarge', errors.payloadTooLarge(0), 'The body is over its route’s bound, refused before it is read.'],
  ['tooManyExports', errors.tooManyExports(3), 'The account already has 3 billing-log exports being built; wait for one to be ready.'],
  ['rateLimited', errors.rateLimited(1, 1), 'Over the account’s requests per minute, or its Checkout Sessions per hour; `Retry-After` says when to retry.'],
  ['internalError', errors.internalError(), 'Something failed on our side; retry.'],
  ['refundFailed', errors.refundFailed(), 'The payment provider refused a refund; the credits stay on the account.'],
  ['upstreamStreamInterrupted', errors.upstreamStreamInterrupted(''), 'The provider’s stream broke (in a stream already started: an error event).'],
  ['providerNotConfigured', errors.providerNotConfigured(''), 'No model of the group has a platform key on this gateway.'],
  ['providerUnavailable', errors.providerUnavailable(''), 'A provider could not verify a key right now, or a refused key’s fallback to credits could not be arranged; retry.'],
  ['allProvidersUnavailable', errors.allProvidersUnavailable('', 1_000), 'Every candidate model failed (after retries) or the routing budget ran out; `Retry-After` says when to retry.'],
  ['byokUnavailable', errors.byokUnavailable(''), 'Stored provider keys cannot be stored or read right now.'],
  ['authUnavailable', errors.authUnavailable(), 'API keys cannot be checked right now; retry.'],
  ['billingLogsUnavailable', errors.billingLogsUnavailable(), 'Billing logs cannot be read right now; retry.'],
  ['paymentsUnavailable', errors.paymentsUnavailable(''), 'No payment provider is configured, or Stripe could not start the checkout.'],
  ['webhooksUnavailable', errors.webhooksUnavailable(''), 'The webhook secret is not configured.'],
  ['mailUnavailable', errors.mailUnavailable(), 'No email sender (`RESEND_API_KEY`) is configured on a production gateway: nothing is sent.'],
  ['linksUnavailable', errors.linksUnavailable(), 'A link cannot be made: `PUBLIC_URL` is not set on a production gateway.'],
  ['upstreamTimeout', errors.upstreamTimeout(''), 'The provider did not answer in time.'],
];

/** The factories the catalogue calls (the unit test compares them with errors.ts's exports). */
export const CATALOGUED_FACTORIES: ReadonlySet<string> = new Set(ENTRIES.map(([name]) => name));

/** One entry per code, in errors.ts's order (a code two factories make is listed once). */
export const ERROR_CODES: readonly ErrorCode[] = ENTRIES.filter(([, error], i) => ENTRIES.findIndex(([, other]) => other.code === error.code) === i).map(
  ([, error, when]) => ({ status: error.status, type: error.type, code: error.code, when }),
);

export function errorCode(code: string): ErrorCode {
  const found = ERROR_CODES.find((entry) => entry.code === code);
  if (!found) throw new Error(`no such error code: ${code}`);
  return found;
}
