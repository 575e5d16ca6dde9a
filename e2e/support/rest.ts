// Reads the backend's REST API directly (PROTOCOL.md §2), to compare what the
// page shows with what the backend holds.

export async function getJson<T = any>(baseUrl: string, route: string): Promise<T> {
  const res = await fetch(`${baseUrl}${route}`);
  if (!res.ok) throw new Error(`GET ${route} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

export interface SymbolInfo {
  symbol: string;
  timeframes: string[];
}

/** The first symbol and its first timeframe: what the page shows by default. */
export async function firstSeries(baseUrl: string): Promise<{ symbol: string; tf: string; all: SymbolInfo[] }> {
  const { symbols } = await getJson<{ symbols: SymbolInfo[] }>(baseUrl, '/api/symbols');
  if (!symbols.length) throw new Error('the backend lists no symbol');
  return { symbol: symbols[0].symbol, tf: symbols[0].timeframes[0], all: symbols };
}

export async function snapshot(baseUrl: string, symbol: string, tf: string) {
  return getJson(baseUrl, `/api/regime?symbol=${encodeURIComponent(symbol)}&timeframe=${encodeURIComponent(tf)}`);
}
