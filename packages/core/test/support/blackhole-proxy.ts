// A TCP proxy in front of the API server that can stop forwarding without
// closing anything: the client's connections stay open and silent, exactly
// like a connection lost in the network (no FIN, no RST, no error).
import net from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

/** A proxy that forwards until `blackhole()`, and again after `restore()` for new connections. */
export interface BlackholeProxy {
  /** A copy of `kc` whose server is the proxy. */
  readonly kubeConfig: KubeConfig;
  /** Stops forwarding on every connection, open or new, without closing any. */
  blackhole(): void;
  /** New connections are forwarded again (blackholed ones stay dead until their client gives up). */
  restore(): void;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startBlackholeProxy(kc: KubeConfig): Promise<BlackholeProxy> {
  const upstream = new URL(kc.getCurrentCluster()!.server);
  let dropping = false;
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const pairs = new Set<{ dead: boolean }>();
  const server = net.createServer((client) => {
    connections++;
    sockets.add(client);
    const up = net.connect(Number(upstream.port), upstream.hostname);
    sockets.add(up);
    const pair = { dead: dropping };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      if (!pair.dead) up.write(chunk);
    });
    up.on('data', (chunk: Buffer) => {
      if (!pair.dead) client.write(chunk);
    });
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      up.destroy();
      sockets.delete(client);
      sockets.delete(up);
    };
    client.on('close', end);
    up.on('close', () => {
      if (!pair.dead) end();
    });
    client.on('error', end);
    up.on('error', () => {
      if (!pair.dead) end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  const proxied = new KubeConfig();
  proxied.loadFromString(kc.exportConfig());
  const cluster = proxied.getCurrentCluster()!;
  const clusters = proxied.clusters.map((c) =>
    c.name === cluster.name ? { ...c, server: `https://127.0.0.1:${port}` } : c,
  );
  proxied.loadFromOptions({
    clusters,
    users: proxied.users,
    contexts: proxied.contexts,
    currentContext: proxied.currentContext,
  });

  return {
    kubeConfig: proxied,
    blackhole: () => {
      dropping = true;
      for (const pair of pairs) pair.dead = true;
    },
    restore: () => {
      dropping = false;
    },
    get connections() {
      return connections;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
