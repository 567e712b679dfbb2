// The demo data's password and people (seeds/demo.ts), as tests sign in and write to them.
export const DEMO_PASSWORD = 'Demo-Passerelle-2026';

/** compta's supervisor, collaborator and client contact; diag's client contact. */
export const HELENE = 'helene.delmas@delmas-associes.example';
export const JULIEN = 'julien.marty@delmas-associes.example';
export const SOPHIE = 'sophie.desperies@boulangerie-desperies.example';
export const NATHALIE = 'nathalie.fabre@agence-chartrons.example';
