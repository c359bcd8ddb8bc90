// The credit-code functions moved to the privacy module (its recognizers validate the same codes);
// re-exported here for the identity module's callers.
export { isValidUscc, makeUscc, orgCodeCheck, usccCheck } from '../privacy/uscc.ts';
