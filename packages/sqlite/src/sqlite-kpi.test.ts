import { describeKpiConformance } from '@rapport/testing';
import { sqliteStorage } from './sqlite-storage.js';

describeKpiConformance('sqlite', () => sqliteStorage({ filename: ':memory:' }));
