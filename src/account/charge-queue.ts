/**
 * The CHARGES queue's consumer: each message is one charge the worker could not
 * record in time, delivered now to its account's object. The object charges a
 * request id once, so a message delivered twice (the queue's at-least-once
 * delivery, or a round trip that landed after all) changes nothing the second
 * time. A failed delivery is retried with a growing delay; after the queue's
 * last retry the message goes to the dead-letter queue, whose consumer tries
 * once more and otherwise records it as lost.
 */
import { messageOf } from '../errors';
import type { Env } from '../env';
import { recordLostCharge, type ChargeMessage } from './charge-delivery';
import { accountStub } from './client';
import { logError } from '../base/log';
import { queueRole } from '../base/queue-names';

export const CHARGES_QUEUE = 'find-token-charges';
export const DEAD_CHARGES_QUEUE = 'find-token-charges-dead';

/** Seconds before retry n (1-based): 2, 4, 8 … at most 5 minutes. */
const retryDelaySeconds = (attempts: number): number => Math.min(300, 2 ** Math.max(1, attempts));

const isChargeMessage = (body: unknown): body is ChargeMessage =>
  typeof body === 'object' && body !== null && typeof (body as ChargeMessage).accountId === 'string' && typeof (body as ChargeMessage).charge?.requestId === 'string';

/** What a batch came to, for its job line. */
export interface ChargeBatchTally {
  recorded: number;
  retried: number;
  dropped: number;
  lost: number;
}

export async function consumeCharges(batch: MessageBatch<unknown>, env: Env): Promise<ChargeBatchTally> {
  // Deployed names carry the environment (find-token-charges-dead-production): known by role, not by name.
  const dead = queueRole(batch.queue) === 'charges_dead';
  const tally: ChargeBatchTally = { recorded: 0, retried: 0, dropped: 0, lost: 0 };
  await Promise.all(
    batch.messages.map(async (message) => {
      const body = message.body;
      if (!isChargeMessage(body)) {
        logError('charge.dropped', { queue: batch.queue, messageId: message.id, message: 'not a charge: dropped' });
        message.ack();
        tally.dropped += 1;
        return;
      }
      try {
        await accountStub(env, body.accountId).charge(body.charge);
        message.ack();
        tally.recorded += 1;
      } catch (error) {
        if (dead) {
          // The last try, after every retry of the charges queue: recorded for the operator.
          await recordLostCharge(env, body, error);
          message.ack();
          tally.lost += 1;
          return;
        }
        logError('charge.retry', { requestId: body.charge.requestId, attempt: message.attempts, message: 'charge not recorded; retrying', cause: messageOf(error) });
        message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
        tally.retried += 1;
      }
    }),
  );
  return tally;
}
