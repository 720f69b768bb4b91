import { CLAIM_NAME, JSON_TYPE } from './configProperties.js';
import { claimValue } from './claimValue.js';
import type { MapperType } from './types.js';
import { claimProblems, required } from './validation.js';

/**
 * `oidc-usersessionmodel-note-mapper` (UserSessionNoteMapper): a user-session note under
 * `claim.name`. The client-credentials grant sets `client_id`, `clientId`, `clientHost` and
 * `clientAddress`; a missing note gives no claim.
 */
export const userSessionNote: MapperType = {
  id: 'oidc-usersessionmodel-note-mapper',
  name: 'User Session Note',
  helpText: 'Maps a note of the session (client_id, clientHost, clientAddress) to a token claim.',
  properties: [
    { name: 'user.session.note', label: 'User Session Note', helpText: 'Name of the stored user session note.', type: 'String' },
    CLAIM_NAME,
    JSON_TYPE,
  ],
  priority: 0,
  tokens: ['access', 'id', 'introspection', 'tokenResponse'],
  map({ config, notes }) {
    const name = config['claim.name'];
    const note = config['user.session.note'];
    if (!name || !note || !Object.hasOwn(notes, note)) return [];
    const value = claimValue(notes[note], config, name);
    return value === undefined ? [] : [{ kind: 'claim', name, value, multivalued: config.multivalued === 'true' }];
  },
  validate: (config) => [...claimProblems(config), ...required(config, 'user.session.note')],
};
