import type { DialectName } from '../clients.js';
import { chatroom } from './chatroom.js';
import { ciam } from './ciam.js';
import type { DialectSpec } from './dialect.js';
import { eiam } from './eiam.js';
import { uaa } from './uaa.js';

export const DIALECT_SPECS: Readonly<Record<DialectName, DialectSpec>> = {
  ciam,
  eiam,
  uaa,
  chatroom,
};
