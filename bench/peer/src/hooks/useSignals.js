// The trading signals, newest first: the newest page from REST, then every
// `signal` event, each appended to state as it arrives; polled over REST
// while the socket is down. State holds the newest SIGNALS_KEPT.

import { useEffect, useState } from 'react';
import { fetchSignals } from '../api.js';
import { POLL_MS, SIGNALS_KEPT } from '../config.js';
import { getSocket } from '../socket.js';

// What the benchmark reads (bench/benchmarks/burst.mjs): how many signal
// events reached the page and the last id, counted outside React.
const counter = { signalsReceived: 0, lastSignalId: null };
window.__peer = counter;

/** `incoming` (newest first) in front of `rows`, without an id twice, capped. */
function merge(incoming, rows) {
  const held = new Set(rows.map((s) => s.id));
  return [...incoming.filter((s) => !held.has(s.id)), ...rows].slice(0, SIGNALS_KEPT);
}

export function useSignals(connected) {
  const [signals, setSignals] = useState([]);
  const [received, setReceived] = useState(0);

  useEffect(() => {
    const socket = getSocket();
    const onSignal = (signal) => {
      counter.signalsReceived++;
      counter.lastSignalId = signal.id;
      setSignals((prev) => [signal, ...prev].slice(0, SIGNALS_KEPT));
      setReceived((n) => n + 1);
    };
    socket.on('signal', onSignal);
    return () => socket.off('signal', onSignal);
  }, []);

  useEffect(() => {
    let cancelled = false;
    const load = () =>
      fetchSignals(100)
        .then((page) => !cancelled && setSignals((prev) => merge([...page].reverse(), prev)))
        .catch((e) => console.warn('signals:', e.message));
    load();
    const timer = connected ? null : setInterval(load, POLL_MS);
    return () => {
      cancelled = true;
      if (timer) clearInterval(timer);
    };
  }, [connected]);

  return { signals, received };
}
