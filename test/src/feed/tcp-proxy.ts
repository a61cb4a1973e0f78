/**
 * A TCP proxy between the widget and the real relay, for blips (issue 12): `pass` pipes both
 * ways; `refuse` drops every connection (open ones and new ones: the relay is unreachable);
 * `hang` keeps the sockets open but forwards nothing either way (a relay gone silent).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export type ProxyMode = 'pass' | 'refuse' | 'hang';

export interface TcpProxy {
  port: number;
  wsUrl: string;
  pollUrl: string;
  set(mode: ProxyMode): void;
  /** Connections accepted (not refused). */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let mode: ProxyMode = 'pass';
  let connections = 0;
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    client.on('error', () => {});
    if (mode === 'refuse') return void client.destroy();
    connections += 1;
    const upstream = net.connect(targetPort, '127.0.0.1');
    upstream.on('error', () => {});
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    client.on('data', (data) => void (mode === 'pass' && upstream.write(data)));
    upstream.on('data', (data) => void (mode === 'pass' && client.write(data)));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    pollUrl: `http://127.0.0.1:${port}/calls`,
    set(next) {
      mode = next;
      if (next === 'refuse') for (const [a, b] of [...pairs]) (a.destroy(), b.destroy());
    },
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [a, b] of pairs) (a.destroy(), b.destroy());
        server.close(() => resolve());
      }),
  };
}
