import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Mutex } from '../mutex.js';
import { REPORT_FORMATS, type ReportFormat, type ReportKind, type ReportModel, scopeSlug } from './model.js';
import { renderReport } from './render.js';

/** One archived version of a report. */
export interface ArchiveVersion {
  readonly version: number;
  readonly generatedAt: string;
  /** SHA-256 of the JSON model without its generation time: equal hashes, equal figures. */
  readonly hash: string;
  readonly formats: readonly ReportFormat[];
}

/** The manifest of a period and scope: every version generated, oldest first. */
export interface ArchiveManifest {
  readonly period: string;
  readonly scope: string;
  readonly kind: ReportKind;
  readonly versions: readonly ArchiveVersion[];
}

/** A version as `GET /api/v1/reports` lists it, with download paths per format. */
export interface ArchiveEntry extends ArchiveVersion {
  readonly period: string;
  readonly scope: string;
  readonly kind: ReportKind;
  readonly latest: boolean;
  readonly downloads: Readonly<Partial<Record<ReportFormat, string>>>;
}

/** What archiving a report did: a new version, or none because the figures had not changed. */
export interface ArchiveOutcome {
  readonly period: string;
  readonly scope: string;
  readonly version: number;
  readonly created: boolean;
}

const PERIOD = /^\d{4}(-(0[1-9]|1[0-2]))?$/;
const SLUG = /^(city|(district|institution)-[A-Za-z0-9][A-Za-z0-9_.-]*)$/;
const FILE = /^v?([1-9]\d{0,5})\.(json|csv|xlsx|pdf)$/;

/** The hash that tells whether a regenerated report changed: its model minus the generation time. */
export function modelHash(model: ReportModel): string {
  const { generatedAt: _, ...figures } = model;
  return createHash('sha256').update(JSON.stringify(figures)).digest('hex');
}

/** Where archived files are served from under the API. */
export function downloadPath(period: string, scope: string, version: number, format: ReportFormat): string {
  return `/api/v1/reports/archive/${period}/${scopeSlug(scope)}/v${version}.${format}`;
}

async function writeAtomic(path: string, body: Buffer | string): Promise<void> {
  await writeFile(`${path}.tmp`, body);
  await rename(`${path}.tmp`, path);
}

/**
 * The report archive in `DATA_DIR/reports/<period>/<scope>/v<N>.<ext>` with a `manifest.json` per
 * period and scope. Versions are never overwritten: a regeneration whose figures changed (late data,
 * corrections) adds version N+1 and keeps the earlier ones.
 */
export class ReportArchive {
  readonly #writes = new Mutex();

  constructor(readonly dir: string) {}

  /** The manifest of a period and scope, undefined when nothing is archived. */
  async manifest(period: string, scope: string): Promise<ArchiveManifest | undefined> {
    if (!PERIOD.test(period) || !SLUG.test(scopeSlug(scope))) return undefined;
    try {
      const text = await readFile(join(this.dir, period, scopeSlug(scope), 'manifest.json'), 'utf8');
      return JSON.parse(text) as ArchiveManifest;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Every archived version, newest period first, then scope, newest version first. */
  async list(): Promise<ArchiveEntry[]> {
    const names = async (dir: string) => {
      try {
        return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    };
    const out: ArchiveEntry[] = [];
    for (const period of (await names(this.dir))
      .filter((p) => PERIOD.test(p))
      .sort()
      .reverse()) {
      for (const slug of (await names(join(this.dir, period))).filter((s) => SLUG.test(s)).sort()) {
        const m = await this.manifest(period, slug);
        if (m === undefined) continue;
        const last = m.versions.at(-1)?.version;
        for (const v of [...m.versions].reverse()) {
          const downloads = Object.fromEntries(
            v.formats.map((f) => [f, downloadPath(m.period, m.scope, v.version, f)]),
          ) as ArchiveEntry['downloads'];
          out.push({ ...v, period: m.period, scope: m.scope, kind: m.kind, latest: v.version === last, downloads });
        }
      }
    }
    return out;
  }

  /**
   * The file of an archived version, from request path parts (`2026-10`, `city`, `v1.xlsx`); undefined
   * for anything malformed, so that no path outside the archive can be named.
   */
  file(
    period: string,
    scope: string,
    file: string,
  ): { path: string; format: ReportFormat; fileName: string } | undefined {
    const slug = scopeSlug(scope);
    const m = FILE.exec(file);
    if (!PERIOD.test(period) || !SLUG.test(slug) || m === null) return undefined;
    const format = m[2] as ReportFormat;
    const name = `v${Number(m[1])}.${format}`;
    return { path: join(this.dir, period, slug, name), format, fileName: `jieneng-${period}-${slug}-${name}` };
  }

  /**
   * Archives a report in every format unless the latest version has the same figures (same model
   * hash); returns the version that holds them.
   */
  async archive(model: ReportModel, formats: readonly ReportFormat[] = REPORT_FORMATS): Promise<ArchiveOutcome> {
    return this.#writes.run(async () => {
      const hash = modelHash(model);
      const current = await this.manifest(model.period, model.scope);
      const latest = current?.versions.at(-1);
      const head = { period: model.period, scope: model.scope };
      if (latest !== undefined && latest.hash === hash) return { ...head, version: latest.version, created: false };
      const version = (latest?.version ?? 0) + 1;
      const dir = join(this.dir, model.period, scopeSlug(model.scope));
      await mkdir(dir, { recursive: true });
      for (const format of formats) {
        const rendered = await renderReport(model, format, 'zh');
        await writeAtomic(join(dir, `v${version}.${format}`), rendered.body);
      }
      const manifest: ArchiveManifest = {
        ...head,
        kind: model.kind,
        versions: [...(current?.versions ?? []), { version, generatedAt: model.generatedAt, hash, formats }],
      };
      // The manifest last: a version is listed only once all its files are in place.
      await writeAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      return { ...head, version, created: true };
    });
  }
}
