// Regime changes: the recent ones from REST, then every `regime:alert`
// event, newest first; the newest one is also returned as `latest` for the
// toast.

import { useEffect, useState } from 'react';
import { fetchAlerts } from '../api.js';
import { ALERTS_KEPT } from '../config.js';
import { getSocket } from '../socket.js';

export function useRegimeAlerts() {
  const [alerts, setAlerts] = useState([]);
  const [latest, setLatest] = useState(null);

  useEffect(() => {
    let cancelled = false;
    fetchAlerts(20)
      .then((page) => !cancelled && setAlerts((prev) => [...prev, ...[...page].reverse()].slice(0, ALERTS_KEPT)))
      .catch((e) => console.warn('Regime alerts unavailable:', e.message));
    const socket = getSocket();
    const onAlert = (alert) => {
      setAlerts((prev) => [alert, ...prev].slice(0, ALERTS_KEPT));
      setLatest(alert);
    };
    socket.on('regime:alert', onAlert);
    return () => {
      cancelled = true;
      socket.off('regime:alert', onAlert);
    };
  }, []);

  return { alerts, latest, dismiss: () => setLatest(null) };
}
