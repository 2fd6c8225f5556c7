import { expect, test } from 'vitest';
import { hierarchyLabel, ownerHierarchy, withReports } from './owner-hierarchy.js';

const users = [
  { id: 'rob', name: 'Rob', managerId: 'mia' },
  { id: 'ann', name: 'Ann', managerId: 'mia' },
  { id: 'mia', name: 'Mia', managerId: 'vp' },
  { id: 'vp', name: 'Vera', managerId: null },
  { id: 'zoe', name: 'Zoe', managerId: 'vp' },
  { id: 'lone', name: 'Lone', managerId: 'gone' },
];

test('the tree depth first, siblings by name, each node with all its reports', () => {
  const nodes = ownerHierarchy(users);
  expect(nodes.map((n) => `${n.depth}:${n.user.id}`)).toEqual([
    '0:lone',
    '0:vp',
    '1:mia',
    '2:ann',
    '2:rob',
    '1:zoe',
  ]);
  expect(nodes.find((n) => n.user.id === 'vp')?.reports).toEqual(['mia', 'ann', 'rob', 'zoe']);
  expect(nodes.find((n) => n.user.id === 'mia')?.reports).toEqual(['ann', 'rob']);
  expect(nodes.find((n) => n.user.id === 'rob')?.reports).toEqual([]);
});

test('a cycle is broken where it is met: every user once', () => {
  const cycle = [
    { id: 'a', name: 'A', managerId: 'b' },
    { id: 'b', name: 'B', managerId: 'a' },
    { id: 'c', name: 'C', managerId: 'c' },
  ];
  const nodes = ownerHierarchy(cycle);
  expect(nodes.map((n) => n.user.id).sort()).toEqual(['a', 'b', 'c']);
  expect(nodes.find((n) => n.user.id === 'a')?.reports).toEqual(['b']);
});

test('a manager with reports; a label indented by depth with the report count', () => {
  expect(withReports(users, 'mia')).toEqual(['mia', 'ann', 'rob']);
  expect(withReports(users, 'unknown')).toEqual(['unknown']);
  const [, , mia] = ownerHierarchy(users);
  expect(hierarchyLabel(mia!, (n) => `+${n}`)).toBe('\u00a0\u00a0\u00a0\u00a0Mia (+2)');
});
