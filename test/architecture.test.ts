import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => (m[1] ?? m[2]) as string,
  );
}

/** The top-level folder an import of `file` lands in, for relative imports. */
function target(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  return relative(ROOT, join(ROOT, file, '..', spec)).split('/')[0];
}

const APPS = ['ingest', 'api', 'simulator'];

describe('architecture rules (STYLE.md)', () => {
  it('finds the sources it checks', () => {
    expect(sources('core').length).toBeGreaterThan(5);
    for (const app of APPS) expect(sources(app).length).toBeGreaterThan(0);
  });

  it('apps import core and packages, never each other or the composition root', () => {
    const offences: string[] = [];
    for (const app of APPS) {
      for (const file of sources(app)) {
        for (const spec of imports(file)) {
          const top = target(file, spec);
          if (top !== undefined && top !== app && top !== 'core') offences.push(`${file} imports ${spec}`);
        }
      }
    }
    expect(offences).toEqual([]);
  });

  it('core imports no app', () => {
    const offences = sources('core').flatMap((file) =>
      imports(file)
        .filter((spec) => {
          const top = target(file, spec);
          return top !== undefined && top !== 'core';
        })
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offences).toEqual([]);
  });

  it('core/domain is pure: no node:*, no I/O, no framework (zod only)', () => {
    const offences = sources('core/domain').flatMap((file) =>
      imports(file)
        .filter((spec) => !spec.startsWith('.') && spec !== 'zod')
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offences).toEqual([]);
    const io = sources('core/domain').filter((f) =>
      /\b(process\.|require\(|fetch\(|setTimeout\()/.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    expect(io).toEqual([]);
  });

  it('only core/config.ts reads process.env', () => {
    const readers = ['core', ...APPS, 'server']
      .flatMap(sources)
      .filter((f) => readFileSync(join(ROOT, f), 'utf8').includes('process.env'));
    expect(readers).toEqual(['core/config.ts']);
  });
});
