// The one Socket.IO connection of the page, shared by the hooks: namespace
// /signals, WebSocket first and long-polling as the fallback, as the seed's
// dashboard connects. socket.io-client reconnects by itself.

import { io } from 'socket.io-client';
import { API_URL } from './config.js';

let socket = null;

export function getSocket() {
  if (!socket) {
    socket = io(`${API_URL}/signals`, {
      path: '/socket.io',
      transports: ['websocket', 'polling'],
    });
  }
  return socket;
}
