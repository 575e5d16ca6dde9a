// The newest signals, newest first, in a table of at most SIGNALS_SHOWN
// rows; rows keyed by id, each row memoised.

import { memo } from 'react';
import { SIGNALS_SHOWN } from '../config.js';

const SignalRow = memo(function SignalRow({ signal }) {
  return (
    <tr data-testid="signal-row" data-id={signal.id}>
      <td className="muted">{new Date(signal.timestamp).toLocaleTimeString()}</td>
      <td>{signal.symbol}</td>
      <td className="muted">{signal.timeframe}</td>
      <td>
        <span className={`side side-${signal.side}`}>{signal.side}</span>
      </td>
      <td className="r">{signal.price.toLocaleString('en-US', { minimumFractionDigits: 2 })}</td>
      <td>{signal.strategy ?? '—'}</td>
      <td className="r">{signal.confidence !== undefined ? `${Math.round(signal.confidence * 100)} %` : '—'}</td>
      <td className="note">{signal.note ?? '—'}</td>
    </tr>
  );
});

export function SignalsList({ signals, received }) {
  const shown = signals.slice(0, SIGNALS_SHOWN);
  return (
    <section className="card signals-card">
      <div className="card-head">
        <h2>Signals</h2>
        <span className="muted" data-testid="signals-count">
          {received > signals.length ? `${signals.length} newest of ${received} received` : signals.length}
        </span>
      </div>
      {signals.length === 0 ? (
        <p className="muted">No signals yet.</p>
      ) : (
        <div className="signals-scroll">
          <table className="signals">
            <thead>
              <tr>
                <th>Time</th>
                <th>Symbol</th>
                <th>TF</th>
                <th>Side</th>
                <th className="r">Price</th>
                <th>Strategy</th>
                <th className="r">Conf.</th>
                <th>Note</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((s) => (
                <SignalRow key={s.id} signal={s} />
              ))}
            </tbody>
          </table>
          {signals.length > shown.length && (
            <p className="muted">
              Newest {shown.length} of {signals.length} shown.
            </p>
          )}
        </div>
      )}
    </section>
  );
}
