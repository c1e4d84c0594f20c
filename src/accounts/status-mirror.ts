/**
 * D1's copy of an account's status. The account object is the authority (every
 * request asks it); D1's column only lets listings and joins see it. Whoever
 * changes the object's status (the operator, a dispute) mirrors its answer here,
 * and a suspension ends the account's web sessions.
 */
import type { Env } from '../env';
import type { AccountStatusView } from '../account/account-status';

export async function mirrorStatus(env: Pick<Env, 'DB'>, accountId: string, view: AccountStatusView): Promise<void> {
  const statements = [env.DB.prepare('UPDATE accounts SET status = ? WHERE id = ?').bind(view.status, accountId)];
  if (view.status === 'suspended') statements.push(env.DB.prepare('DELETE FROM web_sessions WHERE account_id = ?').bind(accountId));
  await env.DB.batch(statements);
}
