/** Vite's `?raw` imports (recorded fixtures as text), which the workers pool supports. */
declare module '*?raw' {
  const text: string;
  export default text;
}
