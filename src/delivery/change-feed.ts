import { sql } from 'drizzle-orm';
import type { Db } from '../db/index.ts';

/**
 * Wakes long-polling clients (GET /inbox?wait=, GET /messages/:id?wait=) when something they
 * watch changes. The source of truth is the journal: every state change writes an event row, so
 * one cheap range query over `events.seq` (the rowid) tells which messages, inboxes and senders
 * changed — whichever process or gateway instance wrote them. The query runs only while someone
 * waits, every `intervalMs`, and at once when this process pokes it after a commit.
 */
export interface ChangeFeed {
  /** Resolves true when `key` changes, false when the time is up or `signal` aborts. */
  wait(key: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  /** Looks for changes now (call after committing one). */
  poke(): void;
  close(): void;
}

export const inboxKey = (participantId: string): string => `inbox:${participantId}`;
export const messageKey = (messageId: string): string => `message:${messageId}`;

interface Waiter {
  resolve: (changed: boolean) => void;
}

export function createChangeFeed(db: Db, options: { intervalMs?: number } = {}): ChangeFeed {
  const intervalMs = options.intervalMs ?? 200;
  const waiters = new Map<string, Set<Waiter>>();
  let lastSeq = db.get<{ seq: number | null }>(sql`select max(seq) as seq from events`)?.seq ?? 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function check(): void {
    const rows = db.all<{ seq: number; messageId: string | null; recipientId: string | null }>(
      sql`select e.seq as seq, e.message_id as messageId, m.recipient_id as recipientId
            from events e left join messages m on m.id = e.message_id
           where e.seq > ${lastSeq} order by e.seq limit 5000`,
    );
    if (rows.length === 0) return;
    lastSeq = rows[rows.length - 1]?.seq ?? lastSeq;
    const keys = new Set<string>();
    for (const r of rows) {
      if (r.messageId !== null) keys.add(messageKey(r.messageId));
      if (r.recipientId !== null) keys.add(inboxKey(r.recipientId));
    }
    for (const key of keys) {
      const set = waiters.get(key);
      if (set === undefined) continue;
      waiters.delete(key);
      for (const w of set) w.resolve(true);
    }
    if (rows.length === 5000) setImmediate(tick);
  }

  function tick(): void {
    timer = undefined;
    if (closed) return;
    try {
      check();
    } finally {
      schedule();
    }
  }

  function schedule(): void {
    if (timer === undefined && waiters.size > 0 && !closed) timer = setTimeout(tick, intervalMs);
  }

  return {
    wait(key, timeoutMs, signal) {
      if (closed || timeoutMs <= 0 || signal?.aborted === true) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const set = waiters.get(key) ?? new Set<Waiter>();
        waiters.set(key, set);
        const finish = (changed: boolean): void => {
          clearTimeout(timeout);
          signal?.removeEventListener('abort', onAbort);
          set.delete(waiter);
          if (set.size === 0 && waiters.get(key) === set) waiters.delete(key);
          resolve(changed);
        };
        const waiter: Waiter = { resolve: finish };
        const onAbort = (): void => finish(false);
        const timeout = setTimeout(() => finish(false), timeoutMs);
        signal?.addEventListener('abort', onAbort, { once: true });
        set.add(waiter);
        schedule();
      });
    },
    poke() {
      if (waiters.size === 0 || closed) return;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      setImmediate(tick);
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const set of waiters.values()) for (const w of set) w.resolve(false);
      waiters.clear();
    },
  };
}
