import type { DataMining } from '../../protocol/src/profile.ts';

/** CAWG Training and Data Mining assertion 1.1: the four standard entries and their values. */
export const TDM_ENTRIES = ['cawg.data_mining', 'cawg.ai_inference', 'cawg.ai_generative_training', 'cawg.ai_training'] as const;
export type TdmEntry = (typeof TDM_ENTRIES)[number];
type TdmUse = 'allowed' | 'notAllowed' | 'constrained';

type Row = Record<TdmEntry, TdmUse>;

/**
 * The one table from the profile's PLUS DataMining code to the C2PA assertion, so the XMP in a file and its
 * Content Credential always say the same thing (the README shows this table). Where the PLUS code prohibits
 * something the entry is `notAllowed`; where the code leaves it to the licence terms the entry is `constrained`
 * (CAWG: not unconditionally granted, read as `notAllowed` without further information) and points at those terms.
 */
export const TRAINING_MINING_TABLE: Record<DataMining, Row> = {
  'DMI-UNSPECIFIED': { 'cawg.data_mining': 'constrained', 'cawg.ai_inference': 'constrained', 'cawg.ai_generative_training': 'constrained', 'cawg.ai_training': 'constrained' },
  'DMI-ALLOWED': { 'cawg.data_mining': 'allowed', 'cawg.ai_inference': 'allowed', 'cawg.ai_generative_training': 'allowed', 'cawg.ai_training': 'allowed' },
  'DMI-PROHIBITED-AIMLTRAINING': { 'cawg.data_mining': 'constrained', 'cawg.ai_inference': 'constrained', 'cawg.ai_generative_training': 'notAllowed', 'cawg.ai_training': 'notAllowed' },
  'DMI-PROHIBITED-GENAIMLTRAINING': { 'cawg.data_mining': 'constrained', 'cawg.ai_inference': 'constrained', 'cawg.ai_generative_training': 'notAllowed', 'cawg.ai_training': 'constrained' },
  'DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING': { 'cawg.data_mining': 'constrained', 'cawg.ai_inference': 'notAllowed', 'cawg.ai_generative_training': 'notAllowed', 'cawg.ai_training': 'notAllowed' },
  'DMI-PROHIBITED': { 'cawg.data_mining': 'notAllowed', 'cawg.ai_inference': 'notAllowed', 'cawg.ai_generative_training': 'notAllowed', 'cawg.ai_training': 'notAllowed' },
  'DMI-PROHIBITED-SEECONSTRAINT': { 'cawg.data_mining': 'constrained', 'cawg.ai_inference': 'constrained', 'cawg.ai_generative_training': 'constrained', 'cawg.ai_training': 'constrained' },
  'DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR': { 'cawg.data_mining': 'constrained', 'cawg.ai_inference': 'constrained', 'cawg.ai_generative_training': 'constrained', 'cawg.ai_training': 'constrained' },
  'DMI-PROHIBITED-SEELINKEDRIGHTSEXPR': { 'cawg.data_mining': 'constrained', 'cawg.ai_inference': 'constrained', 'cawg.ai_generative_training': 'constrained', 'cawg.ai_training': 'constrained' },
};

export interface TdmValue {
  use: TdmUse;
  constraint_info?: string;
}

/** Why a `constrained` entry is constrained, in words a reader of the credential can act on. */
function constraintInfo(code: DataMining, terms: { webStatement?: string; otherConstraints: string }): string {
  const where = terms.webStatement != null ? ` Terms: ${terms.webStatement}` : '';
  switch (code) {
    case 'DMI-UNSPECIFIED':
      return `The rightsholder has stated no data-mining preference (PLUS DMI-UNSPECIFIED); ask before use.${where}`;
    case 'DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING':
      return `Only public search engine indexing that links to this work (PLUS DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING).${where}`;
    case 'DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR':
      return `Prohibited unless the rights expression embedded in the file allows it.${where}`;
    case 'DMI-PROHIBITED-SEELINKEDRIGHTSEXPR':
      return `Prohibited unless the linked rights expression allows it.${where}`;
    default:
      return `${terms.otherConstraints}${where}`;
  }
}

/** The `entries` object of `cawg.training-mining` for a profile's code and terms. */
export function trainingMiningEntries(code: DataMining, terms: { webStatement?: string; otherConstraints: string }): Record<TdmEntry, TdmValue> {
  const row = TRAINING_MINING_TABLE[code];
  const out = {} as Record<TdmEntry, TdmValue>;
  for (const k of TDM_ENTRIES) {
    out[k] = row[k] === 'constrained' ? { use: 'constrained', constraint_info: constraintInfo(code, terms) } : { use: row[k] };
  }
  return out;
}
