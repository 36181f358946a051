// Network namespaces for scale-out tests: each worker process gets a namespace of its own,
// joined to this host by a veth pair, so that a test can cut one worker's network (the host end
// of its link down: packets are dropped, connections hang, nothing is reset) and restore it.
// The workers reach this host's services at one address added to the host's loopback for the
// test, through TCP proxies bound to that address only. Everything is removed afterwards.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Socket } from 'node:net';

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

/** Why namespaces cannot be made here (not root, no `ip`, no capability), or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  const probe = `sbprobe${randomBytes(3).toString('hex')}`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return undefined;
  } catch (err) {
    return (err as { stderr?: Buffer }).stderr?.toString().trim() || String(err);
  }
}

export interface Namespace {
  name: string;
  /** `ip netns exec NAME`: the prefix of a command run inside it. */
  exec: string[];
  /** Cuts the namespace off (its link down); `restore` brings it back. */
  cut(): void;
  restore(): void;
}

export interface Netns {
  /** The address of this host the namespaces reach its services at. */
  hostAddress: string;
  namespaces: Namespace[];
  /** Forwards `hostAddress:<port>` to `127.0.0.1:targetPort`; returns the port. */
  forward(targetPort: number): Promise<number>;
  remove(): Promise<void>;
}

/** `count` namespaces, each with its own /30 link to the host, in a 10.x block no interface uses. */
export async function createNetns(count: number): Promise<Netns> {
  const tag = randomBytes(2).toString('hex');
  const used = execFileSync('ip', ['-4', '-o', 'addr']).toString();
  let block = 200 + Math.floor(Math.random() * 50);
  while (used.includes(` 10.${block}.`)) block += 1;
  const hostAddress = `10.${block}.0.1`;
  const namespaces: Namespace[] = [];
  const servers: ReturnType<typeof createServer>[] = [];
  const sockets = new Set<Socket>();
  const links: string[] = [];
  ip('addr', 'add', `${hostAddress}/32`, 'dev', 'lo');
  try {
    for (let i = 1; i <= count; i++) {
      const name = `sb${tag}n${i}`;
      const host = `sb${tag}h${i}`;
      const peer = `sb${tag}p${i}`;
      ip('netns', 'add', name);
      ip('link', 'add', host, 'type', 'veth', 'peer', 'name', peer);
      links.push(host);
      ip('link', 'set', peer, 'netns', name);
      ip('addr', 'add', `10.${block}.${i}.1/30`, 'dev', host);
      ip('link', 'set', host, 'up');
      const inNs = (...args: string[]): void => ip('netns', 'exec', name, 'ip', ...args);
      inNs('link', 'set', 'lo', 'up');
      inNs('addr', 'add', `10.${block}.${i}.2/30`, 'dev', peer);
      inNs('link', 'set', peer, 'up');
      inNs('route', 'add', 'default', 'via', `10.${block}.${i}.1`);
      namespaces.push({ name, exec: ['ip', 'netns', 'exec', name], cut: () => ip('link', 'set', host, 'down'), restore: () => ip('link', 'set', host, 'up') });
    }
  } catch (err) {
    await remove();
    throw err;
  }

  async function remove(): Promise<void> {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    for (const n of namespaces) execFileSync('ip', ['netns', 'del', n.name], { stdio: 'ignore' });
    for (const l of links) {
      try {
        ip('link', 'del', l); // usually gone with its namespace
      } catch {
        // already removed
      }
    }
    try {
      ip('addr', 'del', `${hostAddress}/32`, 'dev', 'lo');
    } catch {
      // already removed
    }
  }

  return {
    hostAddress,
    namespaces,
    async forward(targetPort) {
      const server = createServer((client) => {
        const upstream = connect(targetPort, '127.0.0.1');
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream);
        upstream.pipe(client);
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, hostAddress, resolve));
      return (server.address() as { port: number }).port;
    },
    remove,
  };
}
