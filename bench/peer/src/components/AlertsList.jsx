// Regime changes, newest first, and a toast for the latest live one.

export function AlertsList({ alerts }) {
  return (
    <section className="card alerts-card">
      <div className="card-head">
        <h2>Regime alerts</h2>
      </div>
      {alerts.length === 0 ? (
        <p className="muted">No alerts yet.</p>
      ) : (
        <ul className="alerts">
          {alerts.slice(0, 10).map((a) => (
            <li key={a.id}>
              <span className="muted">{new Date(a.timestamp).toLocaleString()}</span> {a.symbol} {a.timeframe}: {a.from} →{' '}
              <strong>{a.to}</strong> (ADX {a.adx.toFixed(1)}){a.message ? ` — ${a.message}` : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function AlertToast({ alert, onClose }) {
  if (!alert) return null;
  return (
    <div className="toast" role="status">
      {alert.symbol} {alert.timeframe}: {alert.from} → {alert.to}
      <button type="button" onClick={onClose} aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}
