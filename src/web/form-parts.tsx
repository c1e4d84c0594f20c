/** Pieces every dashboard form uses. */

export function Csrf(props: { token: string }) {
  return <input type="hidden" name="csrf" value={props.token} />;
}

/** A destructive button: asks first (the page's script), carries the CSRF token, names what it acts on. */
export function ConfirmedAction(props: { action: string; confirm: string; csrf: string; label: string; name: string }) {
  return (
    <form method="post" action={props.action} data-confirm={props.confirm}>
      <Csrf token={props.csrf} />
      <button type="submit" class="danger" aria-label={`${props.label} ${props.name}`}>
        {props.label}
      </button>
    </form>
  );
}
