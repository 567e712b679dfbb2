// Contacts (C1–C3): create, edit, delete; "Envoyer les codes d'accès"; an email from the product.
// Each change is one transaction with its activity entries (and its emails, through the outbox).
import type { FirmRow } from '../../db/tables.ts';
import { withFirm, type FirmTrx } from '../../db/withFirm.ts';
import type { AppDeps } from '../../deps.ts';
import type { SessionUser } from '../../http/context.ts';
import { Forbidden, NotFound } from '../../lib/errors.ts';
import { enqueueMail, writtenMail } from '../../lib/mail/outbox.ts';
import type { FieldErrors } from '../../lib/validation.ts';
import { recordActivity } from '../activity/service.ts';
import { queuePasswordLink } from '../auth/service.ts';
import { endSessionsOf } from '../auth/sessions.ts';
import { displayName, emailTaken } from '../users/repo.ts';
import { contactsVisibleTo, findVisibleContact, manageableClients, mayManage, type ContactListRow, type LinkedClient } from './repo.ts';
import type { ContactForm, ContactMailForm } from './schemas.ts';

type SaveResult = { ok: true; id: string; codesSentTo?: string } | { ok: false; errors: FieldErrors };

const refused = (field: string, key: string, params?: Record<string, string | number>): SaveResult => ({ ok: false, errors: { [field]: params ? { key, params } : { key } } });

/** Creates a contact (id undefined) or saves one; links it to the clients named by number. */
export async function saveContact(deps: AppDeps, firm: FirmRow, actor: SessionUser, id: string | undefined, form: ContactForm): Promise<SaveResult> {
  try {
    return await withFirm(deps.db, firm.id, async (trx): Promise<SaveResult> => {
      const current = id ? await findVisibleContact(trx, firm.id, actor, id) : undefined;
      if (current && !(await mayManage(trx, firm.id, actor, current.id))) throw new Forbidden('contacts:errors.readOnly');
      if (await emailTaken(trx, firm.id, form.email, current?.id ?? '0')) return refused('email', 'contacts:errors.emailTaken');

      // The clients typed, each one the actor may give contacts to.
      const manageable: LinkedClient[] = form.clientNumbers.length
        ? await manageableClients(trx, firm.id, actor).whereIn('clients.number', form.clientNumbers).select('clients.id', 'clients.number', 'clients.name')
        : [];
      const unknown = form.clientNumbers.find((n) => !manageable.some((c) => c.number === n));
      if (unknown !== undefined) return refused('clientNumbers', 'contacts:errors.clientUnknown', { number: unknown });
      const wanted = new Map(manageable.map((c) => [c.id, c]));

      // "Compte hérité": the clients of another account come too (those the actor may give).
      const inheritFrom = current ? '' : (form.inheritFrom ?? '');
      if (inheritFrom) {
        const from = await contactsVisibleTo(trx, firm.id, actor)
          .where((w) => w.whereRaw('lower(users.identifier) = lower(?)', [inheritFrom]).orWhereRaw('lower(users.email) = lower(?)', [inheritFrom]))
          .first('users.id');
        if (!from) return refused('inheritFrom', 'contacts:errors.inheritUnknown');
        const inherited: LinkedClient[] = await manageableClients(trx, firm.id, actor)
          .join('clientContacts', (j) => j.on('clientContacts.firmId', 'clients.firmId').andOn('clientContacts.clientId', 'clients.id'))
          .where('clientContacts.userId', from.id)
          .select('clients.id', 'clients.number', 'clients.name');
        for (const c of inherited) wanted.set(c.id, c);
      }
      // A collaborator keeps sight of what they create: at least one of their clients.
      if (actor.role !== 'supervisor' && !wanted.size) return refused('clientNumbers', 'contacts:errors.oneOfYourClients');

      const fields = {
        firstName: form.firstName,
        lastName: form.lastName,
        email: form.email,
        copyEmails: form.copyEmails,
        identifier: form.identifier || form.email.toLowerCase(),
        phone: form.phone,
        jobTitle: form.jobTitle,
        locale: form.locale,
      };
      let contactId: string;
      if (current) {
        await trx('users').where({ firmId: firm.id, id: current.id, role: 'contact' }).update({ ...fields, updatedAt: new Date() });
        contactId = current.id;
      } else {
        const [row] = await trx('users').insert({ ...fields, firmId: firm.id, role: 'contact' }).returning('id');
        contactId = (row as { id: string }).id;
      }
      const label = `${displayName(fields)} (${fields.identifier})`;
      await recordActivity(trx, firm.id, { action: current ? 'contacts.updated' : 'contacts.created', actor, objectType: 'user', objectId: contactId, objectLabel: label });
      await relink(trx, firm.id, actor, contactId, label, [...wanted.values()]);

      let codesSentTo: string | undefined;
      if (!current && form.sendCodes) {
        const user = await trx('users').where({ firmId: firm.id, id: contactId }).first('id', 'email', 'passwordHash', 'locale', 'identifier');
        const sent = await queuePasswordLink(deps, trx, firm, actor, user!);
        if ('sentTo' in sent) codesSentTo = sent.sentTo;
      }
      return { ok: true, id: contactId, ...(codesSentTo ? { codesSentTo } : {}) };
    });
  } catch (err) {
    if ((err as { constraint?: string }).constraint === 'users_identifier_key') return refused('identifier', 'contacts:errors.identifierTaken');
    if ((err as { constraint?: string }).constraint === 'users_email_key') return refused('email', 'contacts:errors.emailTaken');
    throw err;
  }
}

/**
 * Sets the contact's clients among those the actor may manage; links to the other clients (a
 * colleague's) stay as they are. Each link made or undone is in the client's history.
 */
async function relink(trx: FirmTrx, firmId: string, actor: SessionUser, contactId: string, label: string, wanted: LinkedClient[]): Promise<void> {
  const linked: LinkedClient[] = await manageableClients(trx, firmId, actor)
    .join('clientContacts', (j) => j.on('clientContacts.firmId', 'clients.firmId').andOn('clientContacts.clientId', 'clients.id'))
    .where('clientContacts.userId', contactId)
    .select('clients.id', 'clients.number', 'clients.name');
  const removed = linked.filter((c) => !wanted.some((w) => w.id === c.id));
  const added = wanted.filter((w) => !linked.some((c) => c.id === w.id));
  if (removed.length) await trx('clientContacts').where({ firmId, userId: contactId }).whereIn('clientId', removed.map((c) => c.id)).delete();
  if (added.length) await trx('clientContacts').insert(added.map((c) => ({ firmId, clientId: c.id, userId: contactId })));
  for (const [action, list] of [['contacts.linked', added], ['contacts.unlinked', removed]] as const) {
    for (const c of list) await recordActivity(trx, firmId, { action, actor, clientId: c.id, objectType: 'user', objectId: contactId, objectLabel: label });
  }
}

/** Deletes a contact's account (a supervisor's decision): their sessions end, their clients stay. */
export async function deleteContact(deps: AppDeps, firm: FirmRow, actor: SessionUser, id: string): Promise<ContactListRow> {
  if (actor.role !== 'supervisor') throw new Forbidden();
  return withFirm(deps.db, firm.id, async (trx) => {
    const contact = await findVisibleContact(trx, firm.id, actor, id);
    const label = `${displayName(contact)} (${contact.identifier})`;
    await recordActivity(trx, firm.id, { action: 'contacts.deleted', actor, objectType: 'user', objectId: contact.id, objectLabel: label });
    for (const c of contact.clients) await recordActivity(trx, firm.id, { action: 'contacts.unlinked', actor, clientId: c.id, objectType: 'user', objectId: contact.id, objectLabel: label });
    await endSessionsOf(trx, firm.id, contact.id);
    await trx('users').where({ firmId: firm.id, id: contact.id, role: 'contact' }).delete();
    return contact;
  });
}

/** "Envoyer les codes d'accès" (C2): a link to choose a password; no password ever travels by email. */
export async function sendAccessCodes(deps: AppDeps, firm: FirmRow, actor: SessionUser, id: string): Promise<{ sentTo: string } | { noEmail: true }> {
  return withFirm(deps.db, firm.id, async (trx) => {
    const contact = await findVisibleContact(trx, firm.id, actor, id);
    if (!(await mayManage(trx, firm.id, actor, contact.id))) throw new Forbidden('contacts:errors.readOnly');
    const user = await trx('users').where({ firmId: firm.id, id: contact.id }).first('id', 'email', 'passwordHash', 'locale', 'identifier');
    return queuePasswordLink(deps, trx, firm, actor, user!);
  });
}

/**
 * "Envoyer un mail" (C3): the message goes out through the outbox with the writer's address as
 * Reply-To, and to the contact's "Email(s) collaborateurs" too when asked. Logged with its subject.
 */
export async function mailContact(deps: AppDeps, firm: FirmRow, actor: SessionUser, id: string, form: ContactMailForm): Promise<string[]> {
  return withFirm(deps.db, firm.id, async (trx) => {
    const contact = await findVisibleContact(trx, firm.id, actor, id);
    if (!contact.email) throw new NotFound();
    const writer = await trx('users').where({ firmId: firm.id, id: actor.id }).first('email', 'firstName', 'lastName', 'identifier', 'jobTitle');
    const t = deps.i18n.getFixedT(contact.locale ?? firm.defaultLocale);
    const signature = t('contacts:mail.signature', { expediteur: writer ? displayName(writer) : actor.name, fonction: writer?.jobTitle ?? '', cabinet: firm.siteName || firm.name }).replace(/\n\s*\n/g, '\n');
    const text = `${form.message}\n\n-- \n${signature}`;
    const recipients = [contact.email, ...(form.copies ? contact.copyEmails : [])];
    for (const to of recipients) await enqueueMail(trx, firm.id, writtenMail(to, 'contacts.message', form.subject, text, writer?.email ?? undefined));
    for (const c of contact.clients.length ? contact.clients : [undefined]) {
      await recordActivity(trx, firm.id, {
        action: 'contacts.mailed',
        actor,
        clientId: c?.id ?? null,
        objectType: 'user',
        objectId: contact.id,
        objectLabel: `${displayName(contact)} (${contact.identifier})`,
        details: { subject: form.subject, recipients },
      });
    }
    return recipients;
  });
}
