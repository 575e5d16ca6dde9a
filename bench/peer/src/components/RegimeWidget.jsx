// The regime of the series shown: label, ADX, ATR %, the connection badge
// (`● Connected - Live updates`, or `○ API` while the data comes over REST
// only) and an ADX sparkline of the recent history.

import { useEffect, useState } from 'react';
import { fetchHistory } from '../api.js';
import { Sparkline } from './Sparkline.jsx';

const REGIME_LABELS = {
  trend_up: 'Trend up',
  trend_down: 'Trend down',
  range: 'Range',
  volatile: 'Volatile',
  trend: 'Trend',
};

export function RegimeWidget({ symbol, timeframe, regime, connected, error }) {
  const [history, setHistory] = useState([]);

  useEffect(() => {
    if (!symbol || !timeframe) return undefined;
    let cancelled = false;
    fetchHistory(symbol, timeframe)
      .then((points) => !cancelled && setHistory(points))
      .catch((e) => console.warn('history:', e.message));
    return () => {
      cancelled = true;
    };
  }, [symbol, timeframe]);

  return (
    <section className="card regime-widget">
      <div className="card-head">
        <h2>
          {symbol ?? '…'} <span className="muted">{timeframe}</span>
        </h2>
        <span
          className={connected ? 'badge badge-live' : 'badge badge-api'}
          data-testid="badge"
          data-mode={connected ? 'live' : 'api'}
          title={connected ? 'Real-time updates over WebSocket' : `Data over REST only${error ? ` (${error})` : ''}`}
        >
          {connected ? '● Connected - Live updates' : '○ API'}
        </span>
      </div>
      {regime ? (
        <div className="regime-body">
          <div className={`regime-label regime-${regime.regime}`} data-testid="regime-label">
            {REGIME_LABELS[regime.regime] ?? regime.regime}
          </div>
          <dl className="figures">
            <div>
              <dt>ADX</dt>
              <dd data-testid="adx-value">{regime.adx.toFixed(1)}</dd>
            </div>
            <div>
              <dt>ATR %</dt>
              <dd>{(regime.atrPct * 100).toFixed(2)} %</dd>
            </div>
            {regime.close !== undefined && (
              <div>
                <dt>Close</dt>
                <dd>{regime.close.toLocaleString('en-US')}</dd>
              </div>
            )}
          </dl>
          <Sparkline values={history.map((p) => p.adx)} />
        </div>
      ) : (
        <p className="muted">Loading…</p>
      )}
    </section>
  );
}
