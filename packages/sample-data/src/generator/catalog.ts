/**
 * A lead source as the generator models it: its share of leads and of deals, how good its deals
 * are, how often its leads convert, and what a lead costs.
 */
export interface LeadSourceProfile {
  /** The `leadSource` value. */
  readonly name: string;
  /** Relative share of leads. */
  readonly leadShare: number;
  /** Relative share of opportunities. */
  readonly dealShare: number;
  /** Multiplies the chance of a deal to advance (1 = average). */
  readonly quality: number;
  /** Chance that a lead converts. */
  readonly conversion: number;
  /** Cost per lead in minor units; 0 for sources without campaigns. */
  readonly costPerLead: number;
  /** The campaign type of its campaigns. */
  readonly campaignType: string | null;
}

/** Lead sources, from cheap and weak to expensive and strong. */
export const leadSourceProfiles: readonly LeadSourceProfile[] = [
  {
    name: 'Web',
    leadShare: 30,
    dealShare: 28,
    quality: 1,
    conversion: 0.12,
    costPerLead: 0,
    campaignType: null,
  },
  {
    name: 'Paid Search',
    leadShare: 22,
    dealShare: 18,
    quality: 0.85,
    conversion: 0.08,
    costPerLead: 45_00,
    campaignType: 'Advertisement',
  },
  {
    name: 'Trade Show',
    leadShare: 10,
    dealShare: 14,
    quality: 1.15,
    conversion: 0.18,
    costPerLead: 180_00,
    campaignType: 'Conference',
  },
  {
    name: 'Partner Referral',
    leadShare: 8,
    dealShare: 16,
    quality: 1.35,
    conversion: 0.26,
    costPerLead: 60_00,
    campaignType: 'Partners',
  },
  {
    name: 'Email',
    leadShare: 13,
    dealShare: 10,
    quality: 0.9,
    conversion: 0.07,
    costPerLead: 8_00,
    campaignType: 'Email',
  },
  {
    name: 'Social Media',
    leadShare: 12,
    dealShare: 8,
    quality: 0.75,
    conversion: 0.05,
    costPerLead: 25_00,
    campaignType: 'Advertisement',
  },
  {
    name: 'Cold Call',
    leadShare: 5,
    dealShare: 6,
    quality: 0.65,
    conversion: 0.04,
    costPerLead: 0,
    campaignType: null,
  },
];

/** Relative activity per calendar month: a summer dip and a year-end push. */
export const monthWeights: readonly number[] = [
  0.85, 0.9, 1.05, 1, 1, 0.9, 0.7, 0.65, 1.05, 1.15, 1.25, 1.4,
];

/** Products: name, family, list price in minor units. */
export const productCatalog: readonly (readonly [string, string, number])[] = [
  ['Starter', 'Core', 490_00],
  ['Team', 'Core', 1_450_00],
  ['Business', 'Core', 4_800_00],
  ['Enterprise', 'Core', 14_500_00],
  ['Analytics Add-on', 'Add-on', 950_00],
  ['Integration Pack', 'Add-on', 2_200_00],
  ['Onboarding', 'Services', 3_000_00],
  ['Premium Support', 'Services', 1_800_00],
];

/** Why deals are lost, early in the funnel and late. */
export const lostReasons = {
  early: ['No Budget', 'Product Fit', 'No Decision', 'Unresponsive'],
  late: ['Price', 'Competitor', 'Timing', 'No Decision'],
} as const;

/** Mean days an opportunity spends in each open stage of the default pipeline. */
export const meanDaysInStage: readonly number[] = [6, 8, 12, 10, 9, 7, 10, 8];

export const firstNames: readonly string[] = [
  'Anna',
  'Ben',
  'Clara',
  'David',
  'Emma',
  'Felix',
  'Greta',
  'Hugo',
  'Ida',
  'Jonas',
  'Lea',
  'Max',
  'Nora',
  'Oskar',
  'Paula',
  'Ravi',
  'Sofia',
  'Tom',
  'Uma',
  'Victor',
  'Wen',
  'Yara',
];
export const lastNames: readonly string[] = [
  'Adler',
  'Becker',
  'Chen',
  'Dubois',
  'Evans',
  'Fischer',
  'Garcia',
  'Hansen',
  'Ito',
  'Jansen',
  'Keller',
  'Lopez',
  'Meyer',
  'Novak',
  'Okafor',
  'Petrov',
  'Quinn',
  'Rossi',
  'Schmidt',
  'Weber',
];
export const companyParts = {
  first: ['Nord', 'Alpen', 'Blue', 'Silver', 'Rhein', 'Atlas', 'Nova', 'Delta', 'Summit', 'Iron'],
  second: ['soft', 'tech', 'werk', 'logic', 'data', 'med', 'bau', 'trans', 'form', 'line'],
  suffix: ['GmbH', 'AG', 'Ltd', 'Inc', 'SE', 'KG', 'SARL', 'BV'],
} as const;
export const industries: readonly string[] = [
  'Software',
  'Manufacturing',
  'Retail',
  'Healthcare',
  'Finance',
  'Logistics',
  'Energy',
  'Media',
];
export const countries: readonly string[] = [
  'Germany',
  'Austria',
  'Switzerland',
  'France',
  'Netherlands',
  'United Kingdom',
  'United States',
];
export const regions: readonly string[] = ['North', 'South', 'East', 'West', 'Central'];
export const titles: readonly string[] = [
  'CEO',
  'CTO',
  'Head of Sales',
  'IT Manager',
  'Procurement',
  'Operations Lead',
  'CFO',
];
