import { describe, expect, test } from 'vitest';
import { defaultReserved, serverIsLocal } from './default-reserved.js';

describe('serverIsLocal', () => {
  test('hosts of this machine, socket directories and no host are local; others are not', () => {
    for (const connectionString of [
      'postgres://postgres@127.0.0.1:5432/test',
      'postgres://postgres@localhost/test',
      'postgres://postgres@[::1]:5432/test',
      'postgres:///test',
      'postgres://postgres@/test?host=/var/run/postgresql',
    ])
      expect(serverIsLocal({ connectionString }), connectionString).toBe(true);
    for (const connectionString of [
      'postgres://postgres@db.example.com:5432/test',
      'postgres://postgres@10.0.0.7/test',
      'host=127.0.0.1 dbname=test',
    ])
      expect(serverIsLocal({ connectionString }), connectionString).toBe(false);
    expect(serverIsLocal({ host: '/tmp' })).toBe(true);
    expect(serverIsLocal({ host: 'db.internal' })).toBe(false);
    expect(serverIsLocal({})).toBe(true);
  });

  test('no host means PGHOST, as pg reads it', () => {
    const saved = process.env.PGHOST;
    try {
      process.env.PGHOST = 'db.example.com';
      expect(serverIsLocal({})).toBe(false);
      expect(serverIsLocal({ connectionString: 'postgres:///test' })).toBe(false);
      process.env.PGHOST = '/var/run/postgresql';
      expect(serverIsLocal({})).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.PGHOST;
      else process.env.PGHOST = saved;
    }
  });
});

describe('defaultReserved', () => {
  test('a remote server: a quarter of the pool, at least 1', () => {
    expect(defaultReserved(10, false, 2)).toBe(2);
    expect(defaultReserved(3, false, 2)).toBe(1);
    expect(defaultReserved(40, false, 2)).toBe(10);
  });

  test('a server on this machine: long statements at most one per core, never the whole pool', () => {
    expect(defaultReserved(10, true, 2)).toBe(8);
    expect(defaultReserved(10, true, 16)).toBe(2);
    expect(defaultReserved(2, true, 2)).toBe(1);
    expect(defaultReserved(1, true, 4)).toBe(0);
  });
});
