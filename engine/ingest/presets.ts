/**
 * Named category sets, so an analyst can say `vancouver-property` instead of typing seven crime
 * types. Names are exactly as each publisher writes them.
 */
export const CATEGORY_PRESETS: Readonly<Record<string, { readonly label: string; readonly categories: readonly string[] }>> = {
  'vancouver-property': {
    label: 'Vancouver property crime (the 7 GeoDASH property types)',
    categories: [
      'Break and Enter Residential/Other',
      'Break and Enter Commercial',
      'Theft from Vehicle',
      'Theft of Vehicle',
      'Theft of Bicycle',
      'Other Theft',
      'Mischief',
    ],
  },
  'vancouver-burglary-vehicle': {
    label: 'Vancouver burglary and vehicle crime (the PredPol trial types)',
    categories: ['Break and Enter Residential/Other', 'Break and Enter Commercial', 'Theft from Vehicle', 'Theft of Vehicle'],
  },
  'police-uk-burglary-vehicle': {
    label: 'data.police.uk burglary and vehicle crime',
    categories: ['Burglary', 'Vehicle crime'],
  },
  'police-uk-property': {
    label: 'data.police.uk property crime',
    categories: [
      'Burglary',
      'Vehicle crime',
      'Bicycle theft',
      'Theft from the person',
      'Shoplifting',
      'Other theft',
      'Criminal damage and arson',
    ],
  },
  'houston-property': {
    label: 'Houston property offences (burglary, theft, auto theft)',
    categories: ['burglary', 'theft', 'auto theft'],
  },
};

/**
 * Resolves a category spec: a preset name, or a comma-separated list of category names.
 * @example resolveCategories('police-uk-burglary-vehicle') // => ['Burglary', 'Vehicle crime']
 */
export function resolveCategories(spec: string): string[] {
  const preset = CATEGORY_PRESETS[spec.trim()];
  if (preset !== undefined) return [...preset.categories];
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
