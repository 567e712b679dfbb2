// Views include their partials by a name from the views folder ('/partials/field'): EJS finds
// those without asking the disk, at every include of every render (src/http/render.ts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const VIEWS = path.resolve(import.meta.dirname, '../../views');

describe('views', () => {
  it('include templates by their name from the views folder, and each exists', () => {
    const files = fs.readdirSync(VIEWS, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ejs'));
    const wrong: string[] = [];
    let count = 0;
    for (const file of files) {
      for (const [, name] of fs.readFileSync(path.join(VIEWS, file), 'utf8').matchAll(/include\(\s*['"`]([^'"`]+)['"`]/g)) {
        count++;
        if (!name!.startsWith('/') || !fs.existsSync(path.join(VIEWS, `${name}.ejs`))) wrong.push(`${file}: ${name}`);
      }
    }
    assert.ok(count > 100, `includes found: ${count}`);
    assert.deepEqual(wrong, []);
  });
});
