// Demo messages ("Dialogue"): the compta firm's predefined addresses of its management centre (CGA
// Occitanie, seed 000's "Administration" among them) and a few conversations — the firm with its
// centre, the collaborator with a client's contact — so that `npm start` shows both boxes with each
// state. The diag firm, which has no centre, talks with its client agency.
import type { Knex } from 'knex';
import { setFirm } from '../src/db/withFirm.ts';

interface DemoMessage {
  /** identifier of the sender, or of the recipient; 'address:<label>' for one of the centre's addresses. */
  from: string;
  to: string;
  /** The client a message with a contact is about. */
  client?: number;
  subject: string;
  body: string;
  /** Days ago. */
  age: number;
  read?: boolean;
  cancelled?: boolean;
  /** Index (in this list) of the message answered. */
  replyTo?: number;
}

const ADDRESSES: Record<string, { label: string; email: string }[]> = {
  compta: [
    { label: 'Service fiscal', email: 'fiscal@cga-occitanie.example' },
    { label: 'Service juridique', email: 'juridique@cga-occitanie.example' },
    { label: 'Administration', email: 'administration@cga-occitanie.example' },
  ],
};

const MESSAGES: Record<string, DemoMessage[]> = {
  compta: [
    { from: 'collaborateur', to: 'address:Service fiscal', subject: 'Déclaration 2035 de M. Garros', age: 9, read: true, body: 'Bonjour,\n\nLa déclaration 2035 de M. Bernard Garros (adhérent n° 657) sera télétransmise en fin de semaine : son relevé de frais de véhicule nous manquait.\n\nCordialement,\nJulien Marty' },
    { from: 'centre', to: 'collaborateur', subject: 'RE : Déclaration 2035 de M. Garros', age: 8, replyTo: 0, body: 'Bonjour,\n\nMerci pour l’information. Pensez à joindre le tableau des amortissements à la télétransmission.\n\nAgnès Roux, CGA Occitanie' },
    { from: 'client', to: 'collaborateur', client: 3310, subject: 'Facture d’acompte du four', age: 3, body: 'Bonjour Julien,\n\nNous avons versé un acompte de 4 800 € pour le nouveau four en septembre. Faut-il vous transmettre la facture dès maintenant ou avec le bilan ?\n\nMerci,\nSophie Despéries' },
    { from: 'collaborateur', to: 'client', client: 3310, subject: 'Pièces pour le bilan 2025', age: 12, read: true, body: 'Bonjour Madame Despéries,\n\nPour préparer le bilan au 30/09/2025, merci de nous déposer les relevés bancaires de septembre et l’état des stocks.\n\nBien cordialement,\nJulien Marty' },
    { from: 'superviseur', to: 'address:Service juridique', subject: 'Statuts de la SAS Électricité Occitane', age: 5, cancelled: true, body: 'Bonjour,\n\nPourriez-vous relire le projet de statuts joint avant l’assemblée du mois prochain ?\n\nHélène Delmas' },
  ],
  diag: [
    { from: 'collaborateur', to: 'client', client: 1, subject: 'Rendez-vous pour le DPE rue Notre-Dame', age: 4, read: true, body: 'Bonjour Madame Fabre,\n\nJe peux passer au 12 rue Notre-Dame mardi à 9 h pour le diagnostic de performance énergétique. Le locataire est-il prévenu ?\n\nCamille Roussel' },
    { from: 'client', to: 'collaborateur', client: 1, subject: 'RE : Rendez-vous pour le DPE rue Notre-Dame', age: 3, replyTo: 0, body: 'Bonjour,\n\nC’est noté pour mardi 9 h, le locataire vous attendra.\n\nNathalie Fabre' },
  ],
};

const nameOf = (u: { firstName: string; lastName: string; identifier: string }) => `${u.firstName} ${u.lastName}`.trim() || u.identifier;

export async function loadDemoMessages(owner: Knex, slug: string): Promise<void> {
  const firm = await owner('firms').where({ slug }).first('id');
  if (!firm) return;
  await owner.transaction(async (trx) => {
    await setFirm(trx, firm.id);
    const addresses = new Map<string, string>();
    for (const [position, a] of (ADDRESSES[slug] ?? []).entries()) {
      const [row] = await trx('messageAddresses').insert({ firmId: firm.id, label: a.label, email: a.email, position: position + 1 }).returning('id');
      addresses.set(a.label, String(row!.id));
    }
    const users = new Map((await trx('users').where({ firmId: firm.id }).select('id', 'identifier', 'firstName', 'lastName')).map((u) => [u.identifier, u]));
    const ids: string[] = [];
    for (const m of MESSAGES[slug] ?? []) {
      const sender = users.get(m.from);
      if (!sender) continue;
      const toAddress = m.to.startsWith('address:') ? m.to.slice('address:'.length) : undefined;
      const recipient = toAddress ? undefined : users.get(m.to);
      const client = m.client ? await trx('clients').where({ firmId: firm.id, number: m.client }).first('id') : undefined;
      const original = m.replyTo !== undefined ? (await trx('messages').where({ firmId: firm.id, id: ids[m.replyTo]! }).first())! : undefined;
      // The centre answers from the address it was written to.
      const fromAddress = m.from === 'centre' && original?.recipientAddressId ? original.recipientAddressId : null;
      const fromLabel = fromAddress ? [...addresses].find(([, id]) => id === fromAddress)?.[0] : undefined;
      const at = new Date(Date.now() - m.age * 86_400_000);
      const [row] = await trx('messages')
        .insert({
          firmId: firm.id,
          senderId: sender.id,
          senderAddressId: fromAddress,
          senderName: fromLabel ? `${nameOf(sender)} · ${fromLabel}` : nameOf(sender),
          recipientKind: toAddress ? 'address' : 'user',
          recipientUserId: recipient?.id ?? null,
          recipientAddressId: toAddress ? addresses.get(toAddress)! : null,
          recipientName: toAddress ?? nameOf(recipient!),
          clientId: client?.id ?? null,
          inReplyTo: original?.id ?? null,
          subject: m.subject,
          body: m.body,
          status: m.cancelled ? 'cancelled' : 'sent',
          createdAt: at,
          updatedAt: at,
          sentAt: at,
          cancelledAt: m.cancelled ? new Date(at.getTime() + 600_000) : null,
          readAt: m.read ? new Date(at.getTime() + 3_600_000) : null,
          readBy: m.read ? (toAddress ? (users.get('centre')?.id ?? null) : recipient!.id) : null,
        })
        .returning('id');
      ids.push(String(row!.id));
    }
  });
}
