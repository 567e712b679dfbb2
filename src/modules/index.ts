// The feature modules built so far, in menu order. A firm switches each on or off in its settings.
import { clientsModule } from './clients/index.ts';
import { contactsModule } from './contacts/index.ts';
import { documentsModule } from './documents/index.ts';
import { dossiersModule } from './dossiers/index.ts';
import { mailModule } from './mail/index.ts';
import { messagesModule } from './messages/index.ts';
import type { FeatureModule } from './registry.ts';
import { supervisionModule } from './supervision/index.ts';

export const PRODUCT_MODULES: FeatureModule[] = [clientsModule, contactsModule, mailModule, documentsModule, dossiersModule, messagesModule, supervisionModule];
