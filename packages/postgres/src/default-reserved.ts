import { availableParallelism } from 'node:os';

/**
 * Host names of this machine, and socket directories (a libpq host that starts with `/`). No
 * host means `PGHOST`, as pg reads it, else the default socket.
 */
function isLocalHost(named: string): boolean {
  const host = named === '' ? (process.env.PGHOST ?? '') : named;
  return (
    host === '' ||
    host === 'localhost' ||
    host === '::1' ||
    host.startsWith('127.') ||
    host.startsWith('/')
  );
}

/**
 * Whether the server behind a pool's options runs on this machine: a host of this machine, a
 * socket directory, or none (libpq's default socket). Such a server shares this machine's cores.
 *
 * @example
 * serverIsLocal({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' }); // true
 */
export function serverIsLocal(options: {
  readonly host?: string | undefined;
  readonly connectionString?: string | undefined;
}): boolean {
  if (options.host !== undefined) return isLocalHost(options.host);
  if (options.connectionString === undefined) return isLocalHost('');
  // `?host=/var/run/postgresql` names a socket directory, as libpq reads it (the URL then has
  // no host of its own, which WHATWG URLs may refuse).
  const param = /[?&]host=([^&]*)/.exec(options.connectionString)?.[1];
  if (param !== undefined) return isLocalHost(decodeURIComponent(param));
  try {
    const url = new URL(options.connectionString);
    return isLocalHost(decodeURIComponent(url.hostname).replace(/^\[|\]$/g, ''));
  } catch {
    // Not a URL (a libpq keyword string): no claim it is local.
    return false;
  }
}

/**
 * The default of `reservedConnections`: a quarter of the pool, at least 1; and where the server
 * shares this machine's cores, enough that long statements run at most one per core. More long
 * statements than cores only take turns on them, and a short statement (a list, a write) then
 * waits for a core behind them: measured at 100,000 deals on 2 cores, a list during 4 dashboards
 * took 2.4 times its idle time with 8 long statements at once and 1.4 times with 2.
 *
 * @example
 * defaultReserved(10, true, 2); // 8: two long statements at once
 */
export function defaultReserved(
  poolSize: number,
  local: boolean,
  cores: number = availableParallelism(),
): number {
  const quarter = Math.max(1, Math.floor(poolSize / 4));
  if (!local) return quarter;
  return Math.min(Math.max(0, poolSize - 1), Math.max(quarter, poolSize - Math.max(1, cores)));
}
