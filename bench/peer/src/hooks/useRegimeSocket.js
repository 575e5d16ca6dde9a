// The regime of one series and the state of the live connection: the
// snapshot from REST first, then every `regime` event of that series; while
// the socket is down, REST is polled instead ("○ API").

import { useEffect, useState } from 'react';
import { fetchRegime } from '../api.js';
import { POLL_MS } from '../config.js';
import { getSocket } from '../socket.js';

export function useRegimeSocket(symbol, timeframe) {
  const [connected, setConnected] = useState(false);
  const [regime, setRegime] = useState(null);
  const [error, setError] = useState(null);

  // The socket: connection state, the subscription, regime events.
  useEffect(() => {
    if (!symbol || !timeframe) return undefined;
    const socket = getSocket();
    const subscribe = () => socket.emit('subscribe', { symbols: [symbol], timeframes: [timeframe] });
    const onConnect = () => {
      setConnected(true);
      setError(null);
      subscribe();
    };
    const onDisconnect = () => setConnected(false);
    const onConnectError = (err) => {
      // The page goes on over REST: a warning, not an error.
      console.warn('Regime WebSocket unavailable:', err.message);
      setConnected(false);
      setError(err.message);
    };
    const onRegime = (snap) => {
      if (snap && snap.symbol === symbol && snap.timeframe === timeframe) setRegime(snap);
    };
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onConnectError);
    socket.on('regime', onRegime);
    if (socket.connected) onConnect();
    return () => {
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      socket.off('connect_error', onConnectError);
      socket.off('regime', onRegime);
    };
  }, [symbol, timeframe]);

  // REST: the snapshot at once, then polled while the socket is down.
  useEffect(() => {
    if (!symbol || !timeframe) return undefined;
    let cancelled = false;
    const load = () =>
      fetchRegime(symbol, timeframe)
        .then((snap) => !cancelled && setRegime(snap))
        .catch((e) => !cancelled && setError(e.message));
    load();
    const timer = connected ? null : setInterval(load, POLL_MS);
    return () => {
      cancelled = true;
      if (timer) clearInterval(timer);
    };
  }, [symbol, timeframe, connected]);

  return { connected, regime, error };
}
