// "Serveur d'envoi" (K1): the firm's own SMTP server and sender. The password is sealed before it
// is stored and never leaves the server again: the page only says whether one is saved.
import type { FirmSmtpSettingsRow } from '../../db/emailTables.ts';
import type { FirmRow, MailOutboxRow } from '../../db/tables.ts';
import { withFirm, type Person } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import { composeMail, enqueueMailReturningId } from '../../lib/mail/outbox.ts';
import { openPassword, sealPassword } from '../../lib/mail/smtpSettings.ts';
import { recordActivity } from '../activity/service.ts';
import type { SmtpForm } from './schemas.ts';

type Actor = Person & { name: string; locale: string | null };

export type PasswordState = 'none' | 'saved' | 'unreadable';
/** What the page may show of the settings: everything but the password. */
export type SmtpView = Omit<FirmSmtpSettingsRow, 'passwordSecret'> & { password: PasswordState };

/** The firm's server as the page may show it, and the supervisor's address (where the test email goes). */
export async function findSmtp(deps: AppDeps, firm: FirmRow, actor: Person): Promise<{ settings: SmtpView | undefined; myEmail: string | null }> {
  const [row, me] = await withFirm(
    deps.db,
    firm.id,
    async (trx) => [await trx('firmSmtpSettings').where({ firmId: firm.id }).first(), await trx('users').where({ firmId: firm.id, id: actor.id }).first('email')] as const,
    actor,
  );
  if (!row) return { settings: undefined, myEmail: me?.email ?? null };
  const { passwordSecret, ...rest } = row;
  const password: PasswordState = !passwordSecret ? 'none' : openPassword(passwordSecret, firm.id, deps.config.sessionSecret) === undefined ? 'unreadable' : 'saved';
  return { settings: { ...rest, password }, myEmail: me?.email ?? null };
}

/** Saves the server; an empty password keeps the one saved, unless "Supprimer le mot de passe" is ticked. */
export async function saveSmtp(deps: AppDeps, firm: FirmRow, actor: Actor, form: SmtpForm): Promise<void> {
  await withFirm(
    deps.db,
    firm.id,
    async (trx) => {
      const current = await trx('firmSmtpSettings').where({ firmId: firm.id }).first('passwordSecret');
      const passwordSecret = form.password ? sealPassword(form.password, firm.id, deps.config.sessionSecret) : form.clearPassword ? null : (current?.passwordSecret ?? null);
      const values = { host: form.host, port: form.port, security: form.security, username: form.username, passwordSecret, fromName: form.fromName, fromAddress: form.fromAddress };
      // updated_at tells the worker to build the firm's transport again.
      await trx('firmSmtpSettings').insert({ firmId: firm.id, ...values }).onConflict('firmId').merge({ ...values, updatedAt: new Date() });
      await recordActivity(trx, firm.id, {
        action: 'emails.smtpSaved',
        actor,
        objectType: 'firm',
        objectId: firm.id,
        objectLabel: `${form.host}:${form.port}`,
        details: { host: form.host, port: form.port, security: form.security, fromAddress: form.fromAddress, passwordChanged: Boolean(form.password) || form.clearPassword },
      });
    },
    actor,
  );
}

export async function removeSmtp(deps: AppDeps, firm: FirmRow, actor: Actor): Promise<void> {
  await withFirm(
    deps.db,
    firm.id,
    async (trx) => {
      const removed = await trx('firmSmtpSettings').where({ firmId: firm.id }).delete();
      if (removed) await recordActivity(trx, firm.id, { action: 'emails.smtpRemoved', actor, objectType: 'firm', objectId: firm.id, objectLabel: firm.name });
    },
    actor,
  );
}

/** "Envoyer un email de test": to the supervisor, through the outbox like every email. */
export async function queueTestMail(deps: AppDeps, firm: FirmRow, actor: Actor): Promise<{ mailId: string; sentTo: string } | { noEmail: true }> {
  return withFirm(
    deps.db,
    firm.id,
    async (trx) => {
      const me = await trx('users').where({ firmId: firm.id, id: actor.id }).first('email', 'locale');
      if (!me?.email) return { noEmail: true as const };
      const server = await trx('firmSmtpSettings').where({ firmId: firm.id }).first('host');
      const t = deps.i18n.getFixedT(me.locale ?? firm.defaultLocale);
      const cabinet = firm.siteName || firm.name;
      const mailId = await enqueueMailReturningId(trx, firm.id, composeMail(t, me.email, 'emails:mail.test', { cabinet, serveur: server?.host ?? t('emails:smtp.platformServer') }));
      await recordActivity(trx, firm.id, { action: 'emails.smtpTested', actor, objectType: 'firm', objectId: firm.id, objectLabel: me.email });
      return { mailId, sentTo: me.email };
    },
    actor,
  );
}

/** Where the last test email stands (pending, sent, retried with its error). */
export function testMailState(deps: AppDeps, firm: FirmRow, actor: Person, mailId: string): Promise<Pick<MailOutboxRow, 'recipient' | 'status' | 'sentAt' | 'lastError' | 'nextAttemptAt' | 'attempts'> | undefined> {
  if (!/^\d{1,18}$/.test(mailId)) return Promise.resolve(undefined);
  return withFirm(
    deps.db,
    firm.id,
    (trx) => trx('mailOutbox').where({ firmId: firm.id, id: mailId, kind: 'emails:mail.test' }).first('recipient', 'status', 'sentAt', 'lastError', 'nextAttemptAt', 'attempts'),
    actor,
  );
}
