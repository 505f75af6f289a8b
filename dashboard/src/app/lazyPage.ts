import type { ComponentType } from 'react';

/**
 * A route whose page is loaded when first visited: the code editor and the charts of the
 * details pages stay out of the bundle that renders the applications list.
 */
export function lazyPage<M extends Record<string, unknown>>(load: () => Promise<M>, name: keyof M & string) {
  return async () => ({ Component: (await load())[name] as ComponentType });
}
