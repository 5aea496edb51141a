// Close codes of the headless host's socket (4000–4999 are the application's own), shared by the
// host that sends them and the renderer that explains them to the trader.

export const SocketCloseCodes = {
  /** No valid token (wrong, or none within the host's auth timeout). Reconnecting does not help. */
  UNAUTHORIZED: 4401,
  /**
   * This window fell too far behind the data the host had to send it (a background tab, a slow
   * link, a huge answer): the host dropped it rather than buffer without bound. Reconnecting
   * reloads the current state.
   */
  TOO_SLOW: 4008,
} as const;

export type SocketCloseCode = (typeof SocketCloseCodes)[keyof typeof SocketCloseCodes];
