import { describeStorageConformance } from '@rapport/testing';
import { sqliteStorage } from './sqlite-storage.js';

describeStorageConformance('sqlite', () => sqliteStorage({ filename: ':memory:' }));
