import { describeRollupConformance } from '@rapport/testing';
import { sqliteStorage } from './sqlite-storage.js';

describeRollupConformance('sqlite', () => sqliteStorage({ filename: ':memory:' }));
