/**
 * The Socket.IO 4.8 peer, WebSocket transport only, with @socket.io/redis-adapter when REDIS_URL is set (several
 * instances). The smallest server that runs rooms fairly: join and publish with acknowledgements.
 * Usage: node dist/bench/peers/socketio-server.js <port>
 */
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';

const port = Number(process.argv[2] ?? 8091);
const io = new Server({ transports: ['websocket'], serveClient: false, perMessageDeflate: false });
if (process.env.REDIS_URL) {
  const pub = new Redis(process.env.REDIS_URL);
  const sub = pub.duplicate();
  io.adapter(createAdapter(pub, sub));
}
io.on('connection', (socket) => {
  socket.on('j', (room: string, ack: () => void) => {
    void socket.join(room);
    ack();
  });
  socket.on('p', (room: string, text: string, ack: () => void) => {
    io.to(room).emit('m', room, text);
    ack();
  });
});
io.listen(port);
process.stdout.write(`socket.io peer listening on ${port}\n`);
process.on('SIGTERM', () => io.close(() => process.exit(0)));
