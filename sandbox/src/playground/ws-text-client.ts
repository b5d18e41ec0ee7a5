import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Just enough of a WebSocket client (RFC 6455) to read the Agents Playground's conversation
 * stream: text frames in (fragmented or not), pings answered, a clean close out. Node 20 has no
 * WebSocket client without a flag, and the project has no `ws` dependency of its own.
 */

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;

export interface TextWebSocket {
  /** Sends a close frame and ends the connection. */
  close(): void;
}

export interface TextWebSocketHandlers {
  readonly onText: (text: string) => void;
  /** The connection ended (closed by either side, or failed). */
  readonly onClose?: (reason: string) => void;
}

export function connectTextWebSocket(
  url: string,
  handlers: TextWebSocketHandlers,
  timeoutMs = 5_000,
): Promise<TextWebSocket> {
  const target = new URL(url);
  if (target.protocol !== 'ws:') throw new Error(`only ws:// URLs are supported, got ${url}`);
  const key = randomBytes(16).toString('base64');
  const expectedAccept = createHash('sha1')
    .update(key + ACCEPT_GUID)
    .digest('base64');

  return new Promise((resolve, reject) => {
    const req = request({
      host: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      timeout: timeoutMs,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': key,
      },
    });
    req.on('timeout', () => req.destroy(new Error(`WebSocket handshake with ${url} timed out`)));
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      reject(new Error(`WebSocket handshake with ${url} refused: HTTP ${res.statusCode ?? '?'}`));
    });
    req.on('upgrade', (res, socket, head) => {
      if (res.headers['sec-websocket-accept'] !== expectedAccept) {
        socket.destroy();
        reject(new Error(`WebSocket handshake with ${url}: bad Sec-WebSocket-Accept`));
        return;
      }
      socket.setTimeout(0);
      resolve(readFrames(socket, head, handlers));
    });
    req.end();
  });
}

function readFrames(socket: Duplex, head: Buffer, handlers: TextWebSocketHandlers): TextWebSocket {
  let buffer = head;
  let fragments: Buffer[] = [];
  let closed = false;
  const finish = (reason: string): void => {
    if (closed) return;
    closed = true;
    handlers.onClose?.(reason);
  };

  const parse = (): void => {
    for (;;) {
      if (buffer.length < 2) return;
      const b0 = buffer.readUInt8(0);
      const b1 = buffer.readUInt8(1);
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      const masked = (b1 & 0x80) !== 0;
      let length = b1 & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const maskOffset = offset;
      if (masked) offset += 4;
      if (buffer.length < offset + length) return;
      const payload = Buffer.from(buffer.subarray(offset, offset + length));
      if (masked) applyMask(payload, buffer.subarray(maskOffset, maskOffset + 4));
      buffer = buffer.subarray(offset + length);

      if (opcode === OP_TEXT || opcode === OP_CONTINUATION) {
        fragments.push(payload);
        if (fin) {
          const text = Buffer.concat(fragments).toString('utf8');
          fragments = [];
          handlers.onText(text);
        }
      } else if (opcode === OP_PING) {
        socket.write(frame(0xa, payload));
      } else if (opcode === OP_CLOSE) {
        if (!closed) socket.end(frame(OP_CLOSE, Buffer.alloc(0)));
        finish('closed by the server');
        return;
      }
    }
  };

  socket.on('data', (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    parse();
  });
  socket.on('error', (error) => {
    finish(error.message);
  });
  socket.on('close', () => {
    finish('connection closed');
  });
  parse();

  return {
    close: () => {
      if (closed) return;
      finish('closed by the client');
      socket.end(frame(OP_CLOSE, Buffer.alloc(0)));
    },
  };
}

/** A client frame: always masked (RFC 6455 §5.3); only small control frames are ever sent. */
function frame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const masked = Buffer.from(payload);
  applyMask(masked, mask);
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | masked.length]), mask, masked]);
}

function applyMask(data: Buffer, mask: Buffer): void {
  for (let i = 0; i < data.length; i++) data.writeUInt8(data.readUInt8(i) ^ mask.readUInt8(i % 4), i);
}
