/**
 * Serving an MCP server over stdio until the client goes away.
 * @module
 */
import type { Readable, Writable } from 'node:stream';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** Options of {@link serveStdio}. */
export interface ServeStdioOptions {
  /** @default process.stdin */
  stdin?: Readable;
  /** @default process.stdout */
  stdout?: Writable;
}

type RequestId = string | number;

/**
 * Connects `server` to a stdio transport and resolves when it closes: when stdin ends (the
 * client's way of stopping a stdio server) once every request already received has been
 * answered, or when the server is closed. The SDK's transport does not watch for the end of
 * stdin, so without this a server would linger with open database connections, or, when fed
 * by a pipe, drop the answers to its last requests.
 */
export async function serveStdio(
  server: McpServer,
  options: ServeStdioOptions = {},
): Promise<void> {
  const stdin = options.stdin ?? process.stdin;
  const transport = new StdioServerTransport(stdin, options.stdout ?? process.stdout);
  const pending = new Set<RequestId>();
  let ended = false;
  const closed = new Promise<void>((done) => {
    transport.onclose = () => done();
  });
  const closeWhenDrained = () => {
    if (ended && pending.size === 0) void server.close();
  };
  await server.connect(transport);
  // Count requests in and answers out; connect() installed the handlers being wrapped.
  const receive = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage) => {
    if ('method' in message && 'id' in message) pending.add(message.id);
    receive?.(message);
  };
  const send = transport.send.bind(transport);
  transport.send = async (message: JSONRPCMessage) => {
    await send(message);
    if (!('method' in message) && 'id' in message && message.id !== undefined) {
      pending.delete(message.id);
      closeWhenDrained();
    }
  };
  stdin.once('end', () => {
    ended = true;
    closeWhenDrained();
  });
  await closed;
}
