/**
 * Plans the request and holds its worst case with the account object, in one
 * round trip. The worker plans with its isolate's copy of the account's BYOK
 * keys; when the object answers that the copy is stale, it plans once more with
 * the keys the object sent back.
 */
import { Meter } from '../account/meter';
import { byokCache } from '../byok/cache';
import { storedKeysUnusable } from '../byok/request-keys';
import type { AuthenticatedKey, Config, Env } from '../env';
import { ApiError } from '../errors';
import { providerHealth } from '../routing/health';
import type { ChatNeeds } from '../routing/plan-request';
import type { ChatRequest } from '../schemas/chat-request';
import { planRequest, type RoutePlan } from './plan-route';

export interface MeterRequest {
  env: Env;
  config: Config;
  auth: AuthenticatedKey;
  requestId: string;
  now: () => number;
}

/** Whether the account object has ruled on the key's access (authorize does, in the same round trip). */
export interface AccessRuling {
  decided: boolean;
}

export async function openMeter(call: MeterRequest, request: ChatRequest, chat: ChatNeeds, access: AccessRuling): Promise<{ meter: Meter } & RoutePlan> {
  const { env, config, auth } = call;
  let byok = byokCache.get(auth.accountId);
  for (let attempt = 0; attempt < 2; attempt++) {
    const routed = planRequest(request, chat, byok, config, providerHealth, call.now());
    const { credentials, plan } = routed;
    let opened: Awaited<ReturnType<typeof Meter.open>>;
    try {
      opened = await Meter.open({
        env,
        config,
        auth,
        requestId: call.requestId,
        model: plan[0]!,
        routing: chat.strategy,
        stream: request.stream === true,
        promptEstimate: chat.needs.promptEstimate,
        maxTokens: chat.needs.maxTokens,
        now: call.now(),
        mode: credentials.mode,
        // An inline key does not depend on the registered ones.
        byokVersion: credentials.mode === 'byok' && credentials.source === 'inline' ? undefined : byok.version,
      });
    } catch (error) {
      // A refusal (revoked, rate limited, out of credits) is the object's ruling.
      if (error instanceof ApiError) access.decided = true;
      throw error;
    }
    if (opened instanceof Meter) {
      access.decided = true;
      return { meter: opened, ...routed };
    }
    byok = opened.stale;
    byokCache.set(auth.accountId, byok);
  }
  throw storedKeysUnusable();
}
