// REST calls to the backend (docs/PROTOCOL.md §2).

import { API_URL } from './config.js';

export async function getJson(path, params = {}) {
  const qs = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null)).toString();
  const res = await fetch(`${API_URL}${path}${qs ? `?${qs}` : ''}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

export const fetchSymbols = () => getJson('/api/symbols').then((r) => r.symbols);
export const fetchRegime = (symbol, timeframe) => getJson('/api/regime', { symbol, timeframe });
export const fetchHistory = (symbol, timeframe, limit = 120) =>
  getJson('/api/regime/history', { symbol, timeframe, limit }).then((r) => r.points);
export const fetchSignals = (limit = 100) => getJson('/api/signals', { limit }).then((r) => r.signals);
export const fetchAlerts = (limit = 50) => getJson('/api/alerts', { limit }).then((r) => r.alerts);
