import { CLAIM_NAME, JSON_TYPE } from './configProperties.js';
import { claimValue, convertible } from './claimValue.js';
import type { MapperType } from './types.js';
import { claimProblems } from './validation.js';

/** `oidc-hardcoded-claim-mapper` (HardcodedClaim): `claim.value` under `claim.name`, converted by `jsonType.label`. */
export const hardcodedClaim: MapperType = {
  id: 'oidc-hardcoded-claim-mapper',
  name: 'Hardcoded claim',
  helpText: 'Puts a fixed claim, with a fixed value, into the token.',
  properties: [CLAIM_NAME, { name: 'claim.value', label: 'Claim value', helpText: 'Value of the claim you want to hard code.', type: 'String' }, JSON_TYPE],
  priority: 0,
  tokens: ['access', 'id', 'introspection', 'tokenResponse'],
  map({ config }) {
    const name = config['claim.name'];
    const value = config['claim.value'];
    if (!name || value === undefined || value === '') return [];
    return [{ kind: 'claim', name, value: claimValue(value, config, name), multivalued: config.multivalued === 'true' }];
  },
  validate(config) {
    const problems = claimProblems(config);
    const value = config['claim.value'];
    if (value !== undefined && value !== '' && !convertible(value, config['jsonType.label'])) {
      problems.push(`'claim.value' is not a valid ${config['jsonType.label']}`);
    }
    return problems;
  },
};
