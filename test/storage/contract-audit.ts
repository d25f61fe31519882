import { expect, it } from 'vitest';
import { type AuditFinding, type AuditSignoff, auditFlagId } from '../../core/domain/audit-flags.js';
import type { MetadataStore } from '../../core/storage/store.js';
import { T0 } from './contract-fixtures.js';

const H = 3_600_000;

const finding = (rule: AuditFinding['rule'], scope: string, year: number, detail: string): AuditFinding => ({
  id: auditFlagId(rule, scope, year, detail),
  year,
  scope,
  rule,
  severity: 'medium',
  evidence: { month: detail, completeness: 0.5, nested: { list: [1, 2] } },
  message: `${detail}: 50 %`,
});

/** Audit flags and sign-offs (issue 16 item 4): upserted keeping their life cycle, filtered, signed off. */
export function auditCases(store: () => MetadataStore): void {
  it('upserts flags open, keeps a resolution through a re-run, and filters by year, scope, status and id', async () => {
    const march = finding('month_incomplete', 'institution:i1', 2025, '2025-03');
    const yoy = finding('yoy_change', 'institution:i2', 2025, 'kgce');
    const older = finding('yoy_change', 'institution:i1', 2024, 'kgce');
    expect(await store().upsertAuditFlags([march, yoy, older], T0)).toEqual([march.id, yoy.id, older.id]);
    const resolution = {
      status: 'explained' as const,
      by: 'officer',
      comment: 'meter replaced in March',
      atMs: T0 + H,
    };
    expect(await store().resolveAuditFlag(march.id, resolution)).toBe(true);
    // A flag is resolved once; an unknown id changes nothing.
    expect(await store().resolveAuditFlag(march.id, { ...resolution, status: 'accepted' })).toBe(false);
    expect(await store().resolveAuditFlag('no-such-flag', resolution)).toBe(false);

    const rerun = { ...march, severity: 'high' as const, evidence: { completeness: 0.4 }, message: '2025-03: 40 %' };
    expect(await store().upsertAuditFlags([rerun, yoy], T0 + 2 * H)).toEqual([]);
    const flags = await store().auditFlags({ year: 2025 });
    expect(flags).toEqual([
      { ...rerun, status: 'explained', detectedAtMs: T0, seenAtMs: T0 + 2 * H, resolution },
      { ...yoy, status: 'open', detectedAtMs: T0, seenAtMs: T0 + 2 * H },
    ]);
    expect((await store().auditFlags({})).map((f) => f.id)).toEqual([older.id, march.id, yoy.id]);
    expect((await store().auditFlags({ year: 2025, status: 'open' })).map((f) => f.id)).toEqual([yoy.id]);
    expect((await store().auditFlags({ scopes: ['institution:i1'] })).map((f) => f.id)).toEqual([older.id, march.id]);
    expect((await store().auditFlags({ scopes: [] })).map((f) => f.id)).toEqual([]);
    expect((await store().auditFlags({ id: yoy.id })).map((f) => f.year)).toEqual([2025]);
  });

  it('keeps one sign-off per year and institution, the latest', async () => {
    const s: AuditSignoff = { year: 2025, scope: 'institution:i1', by: 'admin', atMs: T0, flags: 3 };
    await store().saveAuditSignoff(s);
    await store().saveAuditSignoff({ ...s, scope: 'institution:i2', flags: 0 });
    await store().saveAuditSignoff({ ...s, year: 2024 });
    await store().saveAuditSignoff({ ...s, by: 'reviewer', atMs: T0 + H });
    expect(await store().auditSignoffs(2025)).toEqual([
      { ...s, by: 'reviewer', atMs: T0 + H },
      { ...s, scope: 'institution:i2', flags: 0 },
    ]);
    expect(await store().auditSignoffs(2023)).toEqual([]);
  });
}
