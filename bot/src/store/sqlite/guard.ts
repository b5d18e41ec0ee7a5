import type { SingletonGuard } from '../../workers/daemon.js';

/**
 * SQLite serves one process, so "one instance runs this" is decided in memory. A name already
 * running here is still refused, matching PostgreSQL, where a second caller in the same
 * process is a second session and does not get the advisory lock either.
 */
export function inProcessGuard(): SingletonGuard {
  const running = new Set<string>();
  return {
    async runExclusive<T>(name: string, fn: () => Promise<T>) {
      if (running.has(name)) return { ran: false } as const;
      running.add(name);
      try {
        return { ran: true, value: await fn() } as const;
      } finally {
        running.delete(name);
      }
    },
  };
}
