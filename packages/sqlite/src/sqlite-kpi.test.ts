import { describeKpiConformance } from '@rapport/testing';
import { sqliteStorage } from './sqlite-storage.js';

describeKpiConformance('sqlite', () => sqliteStorage({ filename: ':memory:' }));
// The same cases and hand-computed values with KPIs read from kept rollups.
describeKpiConformance('sqlite', () => sqliteStorage({ filename: ':memory:' }), { rollups: true });
