/**
 * The stored types are the model's (lib/model/stored.ts): the store depends on the model, never the
 * reverse. This module keeps the old import path working for code not yet moved to it.
 */
export * from '../model/stored.js';
