// The page's settings, from its query string: `api` is the backend's base
// URL (defaults to the page's origin), `symbol` and `tf` the series shown
// (default: the first that /api/symbols lists), `poll` the REST polling
// period while the socket is down, ms.

const query = new URLSearchParams(window.location.search);

export const API_URL = (query.get('api') || window.location.origin).replace(/\/+$/, '');
export const WANTED_SYMBOL = query.get('symbol');
export const WANTED_TIMEFRAME = query.get('tf');
export const POLL_MS = Number(query.get('poll')) || 5000;

/** Signals held in state, newest first: as many as our dashboard keeps. */
export const SIGNALS_KEPT = 500;
/** Signals drawn in the table: as many as our dashboard draws. */
export const SIGNALS_SHOWN = 100;
/** Alerts held in state. */
export const ALERTS_KEPT = 100;
