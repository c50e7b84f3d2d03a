import { io } from 'socket.io-client';
import { type BenchClient, type Driver, timeout } from '../load/driver.js';

/** Drives the Socket.IO peer with socket.io-client, WebSocket transport only. */
export const socketIoDriver: Driver = {
  name: 'socketio',
  async connect(url, _user, localAddress) {
    const socket = io(url.replace(/^ws/, 'http').replace(/\/ws$/, ''), {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(localAddress ? { localAddress } : {}),
    });
    await timeout(
      new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      }),
      30_000,
      'connect',
    );
    let onClose: () => void = () => {};
    socket.on('disconnect', () => onClose());
    const client: BenchClient = {
      join: async (room) => {
        await timeout(socket.emitWithAck('j', room), 30_000, 'join');
      },
      publish: async (room, text) => {
        await timeout(socket.emitWithAck('p', room, text), 30_000, 'publish');
      },
      onMessage: (handler) => {
        socket.on('m', handler);
      },
      onClose: (handler) => {
        onClose = handler;
      },
      close: () => socket.disconnect(),
    };
    return client;
  },
};
