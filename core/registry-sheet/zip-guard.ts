/**
 * The archive of an XLSX body as the streaming workbook reader can take it safely. An XLSX file is
 * a zip archive, and a small archive may inflate to gigabytes (a "zip bomb"): each part the reader
 * needs is inflated here with its output capped at the size the archive declares (APPNOTE.TXT
 * 4.3.7, 4.3.12), the declared sizes are capped, and the parts are handed on in reading order,
 * as ASCII.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** Bounds of an archive's contents. */
export interface ZipLimits {
  /** Most entries (files) in the archive. */
  readonly maxEntries: number;
  /** Most bytes of all entries together, inflated. */
  readonly maxInflatedBytes: number;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_DIRECTORY = 0x06054b50;
/** The end record is 22 bytes plus a comment of at most 65,535 (APPNOTE.TXT 4.3.16). */
const END_SEARCH_BYTES = 22 + 0xffff;

/** Where the end-of-central-directory record starts, or -1. */
function findEnd(zip: Buffer): number {
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - END_SEARCH_BYTES); at--) {
    if (zip.readUInt32LE(at) === END_OF_DIRECTORY) return at;
  }
  return -1;
}

/**
 * The rank of a part in reading order, or undefined for a part the reader does not need: the
 * workbook's relations, the workbook (sheet names), shared strings and styles (dates) before the
 * sheets. Writers differ (exceljs itself writes the workbook last), and a streaming reader meets
 * the parts in archive order.
 */
function rank(name: string): number | undefined {
  const fixed = ['xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/sharedStrings.xml', 'xl/styles.xml'];
  if (fixed.includes(name)) return fixed.indexOf(name);
  const sheet = /^xl\/worksheets\/sheet(\d+)\.xml$/.exec(name);
  return sheet === null ? undefined : fixed.length + Number(sheet[1]);
}

/**
 * XML with every non-ASCII character as a character reference (`六` → `&#20845;`). exceljs's
 * streaming reader decodes each inflated chunk on its own and garbles a character split between
 * two chunks; ASCII cannot be split. References are valid wherever OOXML puts text: in content and
 * attribute values (XML 1.0 §4.1).
 */
function asciiXml(xml: Buffer): Buffer {
  const text = xml.toString('utf8').replace(/^\uFEFF/, '');
  return Buffer.from(
    text.replace(/[\u0080-\u{10FFFF}]/gu, (ch) => `&#${ch.codePointAt(0)};`),
    'latin1',
  );
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 of the zip format (APPNOTE.TXT 4.4.7). */
function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip archive of the given parts in the given order, deflated at the fastest level. */
export function zipArchive(parts: readonly { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of parts) {
    const fileName = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const packed = deflateRawSync(data, { level: 1 });
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL_HEADER, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, packed);
    centrals.push(central, fileName);
    offset += 30 + fileName.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_DIRECTORY, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * Checks an XLSX body and returns the archive the streaming workbook reader reads: the workbook's
 * parts only, in reading order, as ASCII. A problem instead when the body is no zip
 * archive, or has too many entries, or its parts inflate past `limits` or past their declared
 * sizes. Never throws.
 */
export function workbookZip(zip: Buffer, limits: ZipLimits): { problem: string } | { zip: Buffer } {
  if (zip.length >= 8 && zip.readUInt32BE(0) === 0xd0cf11e0)
    return { problem: 'an encrypted workbook or an old .xls file: save it as .xlsx without a password' };
  if (zip.length < 22 || zip.readUInt32LE(0) !== LOCAL_HEADER)
    return { problem: 'not an XLSX workbook (an XLSX file is a zip archive)' };
  const end = findEnd(zip);
  if (end < 0) return { problem: 'not an XLSX workbook: the zip archive is truncated (no central directory)' };
  const count = zip.readUInt16LE(end + 10);
  const directoryOffset = zip.readUInt32LE(end + 16);
  if (count === 0xffff || directoryOffset === 0xffffffff)
    return { problem: 'a ZIP64 archive: too large to be a registry' };
  if (count > limits.maxEntries) return { problem: `the archive has ${count} entries, more than ${limits.maxEntries}` };
  const parts: { name: string; data: Buffer; rank: number }[] = [];
  let at = directoryOffset;
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL_HEADER)
      return { problem: 'not an XLSX workbook: the zip directory is damaged' };
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.toString('utf8', at + 46, Math.min(zip.length, at + 46 + nameLength));
    const order = rank(name);
    if (order !== undefined) {
      const size = zip.readUInt32LE(at + 24);
      total += size;
      if (total > limits.maxInflatedBytes)
        return { problem: `the workbook inflates to more than ${limits.maxInflatedBytes / 2 ** 20} MiB` };
      const method = zip.readUInt16LE(at + 10);
      const data = inflated(zip, zip.readUInt32LE(at + 42), method, zip.readUInt32LE(at + 20), size);
      if (typeof data === 'string') return { problem: `zip entry "${name}": ${data}` };
      parts.push({ name, data: asciiXml(data), rank: order });
    }
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  parts.sort((a, b) => a.rank - b.rank);
  return { zip: zipArchive(parts) };
}

/** One entry's data, inflated with its output capped at its declared size, or what is wrong. */
function inflated(zip: Buffer, offset: number, method: number, packed: number, size: number): Buffer | string {
  if (offset + 30 > zip.length || zip.readUInt32LE(offset) !== LOCAL_HEADER) return 'damaged';
  const start = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
  if (start + packed > zip.length) return 'truncated';
  const data = zip.subarray(start, start + packed);
  if (method === 0) return packed === size ? data : 'stored size differs from its declared size';
  if (method !== 8) return `compression method ${method} is not supported (deflate only)`;
  try {
    const out = inflateRawSync(data, { maxOutputLength: Math.max(1, size) });
    return out.length === size ? out : 'inflates to a size other than declared';
  } catch {
    return 'inflates past its declared size, or is not valid deflate data';
  }
}
