/** The close codes are the wire vocabulary's (client/wire/close-codes.ts). */
export { type CloseCodeName, CloseCodes, shouldReconnect } from '../../client/wire/close-codes.js';
