// Firm settings (A7): company information, branding, rows per page, language, enabled modules.
import type { FirmRow } from '../../db/tables.ts';
import { withFirm } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SessionUser } from '../../http/context.ts';
import type { UploadedFile } from '../../http/middleware/upload.ts';
import { recordActivity } from '../activity/service.ts';
import type { SettingsForm } from './schemas.ts';

export async function updateSettings(deps: AppDeps, firm: FirmRow, actor: SessionUser, form: SettingsForm): Promise<void> {
  await withFirm(deps.db, firm.id, async (trx) => {
    await trx('firms').where({ id: firm.id }).update({ ...form, siret: form.siret || null, updatedAt: new Date() });
    await recordActivity(trx, firm.id, { action: 'settings.updated', actor, objectType: 'firm', objectId: firm.id, objectLabel: form.name });
  });
  await deps.firms.refresh();
}

export async function replaceLogo(deps: AppDeps, firm: FirmRow, actor: SessionUser, file: UploadedFile): Promise<void> {
  await withFirm(deps.db, firm.id, async (trx) => {
    await trx('firmLogos')
      .insert({ firmId: firm.id, mime: file.mime, data: file.buffer })
      .onConflict('firmId')
      .merge({ mime: file.mime, data: file.buffer, updatedAt: new Date() });
    await trx('firms').where({ id: firm.id }).update({ hasLogo: true, updatedAt: new Date() });
    await recordActivity(trx, firm.id, { action: 'settings.logoChanged', actor, objectType: 'firm', objectId: firm.id, objectLabel: file.originalName });
  });
  await deps.firms.refresh();
}

export async function removeLogo(deps: AppDeps, firm: FirmRow, actor: SessionUser): Promise<void> {
  await withFirm(deps.db, firm.id, async (trx) => {
    await trx('firmLogos').where({ firmId: firm.id }).delete();
    await trx('firms').where({ id: firm.id }).update({ hasLogo: false, updatedAt: new Date() });
    await recordActivity(trx, firm.id, { action: 'settings.logoRemoved', actor, objectType: 'firm', objectId: firm.id, objectLabel: firm.name });
  });
  await deps.firms.refresh();
}

export function findLogo(deps: AppDeps, firm: FirmRow) {
  return withFirm(deps.db, firm.id, (trx) => trx('firmLogos').where({ firmId: firm.id }).first());
}
