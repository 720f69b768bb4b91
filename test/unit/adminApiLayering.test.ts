import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

/**
 * lib/adminApi is HTTP only (docs/architecture.md, issue 18): it parses, calls a lib/admin
 * operation and answers. A store call there is a rule lib/admin no longer sees (a realm check,
 * a filter), so none may come back.
 */
const ADMIN_API = join(import.meta.dirname, '../../lib/adminApi');

test('no lib/adminApi module reaches the store', () => {
  const files = readdirSync(ADMIN_API).filter((name) => name.endsWith('.ts'));
  assert.ok(files.length > 20, `read ${files.length} modules`);
  const offending = files.flatMap((name) =>
    readFileSync(join(ADMIN_API, name), 'utf8')
      .split('\n')
      .flatMap((line, i) => (/\.table\b|\/store\//.test(line) ? [`${name}:${i + 1}: ${line.trim()}`] : [])),
  );
  assert.deepEqual(offending, []);
});
