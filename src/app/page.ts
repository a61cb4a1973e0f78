/**
 * What the core needs to know about the page it runs in, as a plain interface. The platform
 * layer builds it from `window`/`document` (src/platform/page.ts); tests build it by hand.
 */
export interface PageEnv {
  /** `location.protocol`, e.g. `https:`. */
  protocol: string;
  /** `location.origin`: the Kommo account's origin, where /api/ lives. */
  origin: string;
  isVisible(): boolean;
  hasFocus(): boolean;
  onVisibilityChange(handler: () => void): () => void;
  onOnline(handler: () => void): () => void;
  /** Focus, blur or visibility changed: the tab layer routes pop-ups to where the user looks. */
  onAttention(handler: () => void): () => void;
  onUnload(handler: () => void): () => void;
}
