/** Forecast categories, as in Salesforce. */
export const forecastCategories = ['Pipeline', 'BestCase', 'Commit', 'Closed', 'Omitted'] as const;
/** Whether a stage is open, won or lost. */
export const stageStatuses = ['open', 'won', 'lost'] as const;
/** Lead statuses, as in Salesforce's default lead process. */
export const leadStatuses = [
  'Open - Not Contacted',
  'Working - Contacted',
  'Closed - Converted',
  'Closed - Not Converted',
] as const;
/** Activity types. */
export const activityTypes = ['task', 'call', 'meeting', 'email'] as const;
/**
 * User roles, which decide visibility: `admin` sees and changes everything in the tenant,
 * `manager` its own records and its reports', `rep` its own, `readonly` reads as a manager does
 * and changes nothing (sharing settings widen the first three, never the readonly writes).
 */
export const userRoles = ['admin', 'manager', 'rep', 'readonly'] as const;
/** Contract statuses. */
export const contractStatuses = ['Draft', 'Activated', 'Cancelled', 'Expired'] as const;
