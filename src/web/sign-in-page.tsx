/**
 * The page an emailed sign-in link opens. It names the address it signs in as,
 * and asks for a click (mail scanners opening the link do not use it up). A
 * link opened in a browser other than the one that asked for it (an attacker's
 * own link, sent to a victim, would sign the victim into the attacker's
 * account) must be confirmed explicitly with a checkbox.
 */
import { Layout, Notice } from './layout';

export function SignInPage(props: { email: string; token: string; csrf: string; requestedHere: boolean; message?: string }) {
  return (
    <Layout title="Sign in">
      <h1>Sign in as {props.email}?</h1>
      {props.message ? <Notice kind="bad">{props.message}</Notice> : null}
      {props.requestedHere ? null : (
        <Notice kind="bad">
          This link was asked for in another browser. Sign in only if you asked for it yourself and {props.email} is your address: a link someone else sends
          you signs you into their account.
        </Notice>
      )}
      <form method="post" action="/auth/activate">
        <input type="hidden" name="token" value={props.token} />
        <input type="hidden" name="csrf" value={props.csrf} />
        {props.requestedHere ? null : (
          <label>
            <input type="checkbox" name="confirm" value="yes" required /> I asked for this link, and {props.email} is my address
          </label>
        )}
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}
