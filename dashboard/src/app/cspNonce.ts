import { setNonce } from 'get-nonce';

/**
 * The style nonce the gateway puts into index.html for this page load. The page's
 * Content-Security-Policy allows no inline script and only styles from this origin or carrying
 * this nonce: Mantine's and CodeMirror's generated style elements carry it, and so does the one
 * the modals' scroll lock adds (react-style-singleton, which asks get-nonce). Undefined in `vite dev`.
 */
export const cspNonce: string | undefined = (() => {
  const value = document.querySelector<HTMLMetaElement>('meta[name="orca-csp-nonce"]')?.content;
  return value && !value.startsWith('__') ? value : undefined;
})();

if (cspNonce) {
  setNonce(cspNonce);
}
