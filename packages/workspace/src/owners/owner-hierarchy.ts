/** What the hierarchy needs of a user: id, name and manager. */
export interface HierarchyUser {
  readonly id: string;
  readonly name: string;
  readonly managerId?: string | null;
}

/** One user in the hierarchy: how deep, and every report below (direct or not). */
export interface OwnerNode<TUser extends HierarchyUser = HierarchyUser> {
  readonly user: TUser;
  /** 0 for a user without a (known) manager, 1 for their direct reports, ... */
  readonly depth: number;
  /** The ids of every user below this one in the `managerId` tree. */
  readonly reports: readonly string[];
}

/**
 * Users in the order of their `managerId` tree (depth first, siblings by name), each with its
 * depth and all its reports. A manager missing from the list makes its reports roots; a cycle
 * (the API refuses them, but data may be imported) is broken where it is met, so every user
 * appears once.
 *
 * @example
 * ownerHierarchy([{ id: 'm', name: 'Mia' }, { id: 'r', name: 'Rob', managerId: 'm' }]);
 * // [{ user: Mia, depth: 0, reports: ['r'] }, { user: Rob, depth: 1, reports: [] }]
 */
export function ownerHierarchy<TUser extends HierarchyUser>(
  users: readonly TUser[],
): OwnerNode<TUser>[] {
  const byId = new Map(users.map((user) => [user.id, user]));
  const children = new Map<string, TUser[]>();
  const roots: TUser[] = [];
  for (const user of users) {
    const manager = user.managerId && user.managerId !== user.id ? user.managerId : null;
    if (manager && byId.has(manager))
      children.set(manager, [...(children.get(manager) ?? []), user]);
    else roots.push(user);
  }
  const byName = (a: TUser, b: TUser) => a.name.localeCompare(b.name);
  const placed = new Set<string>();
  const nodes: OwnerNode<TUser>[] = [];
  const visit = (user: TUser, depth: number): string[] => {
    placed.add(user.id);
    const index = nodes.length;
    nodes.push({ user, depth, reports: [] });
    const reports: string[] = [];
    for (const child of [...(children.get(user.id) ?? [])].sort(byName)) {
      if (placed.has(child.id)) continue;
      reports.push(child.id, ...visit(child, depth + 1));
    }
    nodes[index] = { user, depth, reports };
    return reports;
  };
  for (const root of [...roots].sort(byName)) visit(root, 0);
  // Users only reachable through a cycle: the first one met becomes a root.
  for (const user of [...users].sort(byName)) if (!placed.has(user.id)) visit(user, 0);
  return nodes;
}

/**
 * A user and everyone below them: the owners a manager's roll-up covers.
 *
 * @example
 * withReports(users, 'm'); // ['m', 'r']
 */
export function withReports(users: readonly HierarchyUser[], id: string): string[] {
  const node = ownerHierarchy(users).find((n) => n.user.id === id);
  return node ? [id, ...node.reports] : [id];
}

/**
 * A user's name indented by depth, for a `<select>` (options cannot hold markup): two no-break
 * spaces per level, and the number of reports a manager's choice includes.
 *
 * @example
 * const mia = { id: 'u1', name: 'Mia' };
 * hierarchyLabel({ user: mia, depth: 0, reports: ['r'] }, (n) => `+${n}`); // 'Mia (+1)'
 */
export function hierarchyLabel(node: OwnerNode, reportsLabel: (count: number) => string): string {
  const indent = '\u00a0\u00a0'.repeat(node.depth * 2);
  const reports = node.reports.length > 0 ? ` (${reportsLabel(node.reports.length)})` : '';
  return `${indent}${node.user.name}${reports}`;
}
