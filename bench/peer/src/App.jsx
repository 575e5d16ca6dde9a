// The dashboard: the series chosen from /api/symbols (or the query string),
// its regime, the signals and the regime alerts.

import { useEffect, useState } from 'react';
import { fetchSymbols } from './api.js';
import { AlertToast, AlertsList } from './components/AlertsList.jsx';
import { RegimeWidget } from './components/RegimeWidget.jsx';
import { SignalsList } from './components/SignalsList.jsx';
import { API_URL, WANTED_SYMBOL, WANTED_TIMEFRAME } from './config.js';
import { useRegimeAlerts } from './hooks/useRegimeAlerts.js';
import { useRegimeSocket } from './hooks/useRegimeSocket.js';
import { useSignals } from './hooks/useSignals.js';

export function App() {
  const [symbols, setSymbols] = useState([]);
  const [symbol, setSymbol] = useState(WANTED_SYMBOL);
  const [timeframe, setTimeframe] = useState(WANTED_TIMEFRAME);

  useEffect(() => {
    fetchSymbols()
      .then((list) => {
        setSymbols(list);
        const first = list.find((s) => s.symbol === WANTED_SYMBOL) ?? list[0];
        if (first) {
          setSymbol(first.symbol);
          setTimeframe((tf) => (tf && first.timeframes.includes(tf) ? tf : first.timeframes[0]));
        }
      })
      .catch((e) => console.warn('symbols:', e.message));
  }, []);

  const { connected, regime, error } = useRegimeSocket(symbol, timeframe);
  const { signals, received } = useSignals(connected);
  const { alerts, latest, dismiss } = useRegimeAlerts();
  const timeframes = symbols.find((s) => s.symbol === symbol)?.timeframes ?? [];

  return (
    <main className="app">
      <header className="app-head">
        <h1>Regime dashboard</h1>
        <select
          value={symbol ?? ''}
          onChange={(e) => {
            const next = symbols.find((s) => s.symbol === e.target.value);
            setSymbol(next.symbol);
            setTimeframe(next.timeframes[0]);
          }}
        >
          {symbols.map((s) => (
            <option key={s.symbol} value={s.symbol}>
              {s.symbol}
            </option>
          ))}
        </select>
        <select value={timeframe ?? ''} onChange={(e) => setTimeframe(e.target.value)}>
          {timeframes.map((tf) => (
            <option key={tf} value={tf}>
              {tf}
            </option>
          ))}
        </select>
        <span className="muted">{API_URL}</span>
      </header>
      <RegimeWidget symbol={symbol} timeframe={timeframe} regime={regime} connected={connected} error={error} />
      <SignalsList signals={signals} received={received} />
      <AlertsList alerts={alerts} />
      <AlertToast alert={latest} onClose={dismiss} />
    </main>
  );
}
